namespace JitAdmission.Core.Guard;

/// <summary>
/// The parts of an ApprovalRequest the guard reads must be there: JSON <c>null</c> deserializes into properties the model
/// declares non-null. The API server's schema drops such nulls before any webhook runs, but a review that did not come
/// from the API server can carry them; the guard refuses those with the field's name instead of failing on them.
/// </summary>
public static class RequestShape
{
    /// <summary>The first required part that is null, or null when the request is whole.</summary>
    public static string? Missing(ApprovalRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        // The model says these are never null; JSON can still make them so.
#pragma warning disable CA1508 // dead conditional code: it is not, for deserialized input
        if (request.Metadata is null) return "metadata";
        if (request.Spec is not { } spec) return "spec";
        if (spec.Policies is null || spec.Policies.Contains(null!)) return "spec.policies";
        if (spec.Requester is not { Username: not null, Groups: not null } requester || requester.Groups.Contains(null!)) return "spec.requester";
        if (spec.Action is not { Operation: not null, Group: not null, Version: not null, Resource: not null }) return "spec.action";
        if (spec.Fingerprint is null) return "spec.fingerprint";
        if (spec.Reason is null) return "spec.reason";
        if (spec.Change is null) return "spec.change";
        if (spec.Reviews is null || spec.Reviews.Any(r => r is not { Reviewer: not null } || (r.Groups?.Contains(null!) ?? false))) return "spec.reviews";
        if (request.Metadata.Labels?.Values.Contains(null!) == true) return "metadata.labels";
        if (request.Metadata.Annotations?.Values.Contains(null!) == true) return "metadata.annotations";
        if (request.Metadata.Finalizers?.Contains(null!) == true) return "metadata.finalizers";
#pragma warning restore CA1508
        return null;
    }
}
