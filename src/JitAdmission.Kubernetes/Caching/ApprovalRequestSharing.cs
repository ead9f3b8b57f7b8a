namespace JitAdmission.Kubernetes.Caching;

/// <summary>
/// The cache transform of ApprovalRequests: their names, identifiers and enumerated values (API version, namespace,
/// policies, requester, action, reviewers, requirement names, condition types and reasons) come from small sets and
/// are shared through a <see cref="StringPool"/>. Free text (reason, change, messages, comments) and per-object values
/// (name, uid, fingerprint) are left alone: they rarely repeat and would only fill the pool. Values never change.
/// The proposed object (<c>spec.object</c>) is dropped: it is for approvers, who read it from the API server, and no
/// reader of the cache needs it (status writes go to the status subresource, which ignores the spec).
/// </summary>
public static class ApprovalRequestSharing
{
    public static void Apply(ApprovalRequest request, StringPool pool)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(pool);
        request.ApiVersion = pool.Share(request.ApiVersion);
        request.Kind = pool.Share(request.Kind);
        if (request.Metadata is { } metadata) metadata.NamespaceProperty = pool.Share(metadata.NamespaceProperty);

        var spec = request.Spec;
        spec.Object = null;
        pool.ShareAll(spec.Policies);
        spec.Requester.Username = pool.Share(spec.Requester.Username);
        pool.ShareAll(spec.Requester.Groups);
        var action = spec.Action;
        action.Operation = pool.Share(action.Operation);
        action.Group = pool.Share(action.Group);
        action.Version = pool.Share(action.Version);
        action.Resource = pool.Share(action.Resource);
        action.SubResource = pool.Share(action.SubResource);
        action.Kind = pool.Share(action.Kind);
        action.Namespace = pool.Share(action.Namespace);
        action.Name = pool.Share(action.Name);
        foreach (var review in spec.Reviews)
        {
            review.Reviewer = pool.Share(review.Reviewer);
            pool.ShareAll(review.Groups);
        }

        if (request.Status is not { } status) return;
        status.Action = pool.Share(status.Action);
        status.Approvals = pool.Share(status.Approvals);
        foreach (var requirement in status.Requirements)
        {
            requirement.Name = pool.Share(requirement.Name);
            pool.ShareAll(requirement.ApprovedBy);
        }

        foreach (var decision in status.Decisions) decision.Reviewer = pool.Share(decision.Reviewer);
        foreach (var use in status.Usage)
        {
            use.Operation = pool.Share(use.Operation);
            use.By = pool.Share(use.By);
        }

        foreach (var condition in status.Conditions)
        {
            condition.Type = pool.Share(condition.Type);
            condition.Status = pool.Share(condition.Status);
            condition.Reason = pool.Share(condition.Reason);
        }
    }
}
