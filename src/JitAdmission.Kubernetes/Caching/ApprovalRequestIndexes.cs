namespace JitAdmission.Kubernetes.Caching;

/// <summary>
/// The secondary indexes the webhook and controller use to find ApprovalRequests without scanning:
/// by fingerprint (Exact), by requester (Grant) and by target object (Object scope).
/// </summary>
public static class ApprovalRequestIndexes
{
    public const string Fingerprint = "fingerprint";
    public const string Requester = "requester";
    public const string Object = "object";
    public const string ChangeSetObject = "changeSetObject";
    public const string ChangeSetTarget = "changeSetTarget";

    /// <summary>Adds <see cref="Fingerprint"/>, <see cref="Requester"/>, <see cref="ChangeSetObject"/> and <see cref="Object"/> to the cache.</summary>
    public static ResourceCache<ApprovalRequest> AddStandardIndexes(this ResourceCache<ApprovalRequest> cache)
    {
        ArgumentNullException.ThrowIfNull(cache);
        cache.AddIndex(Fingerprint, r => string.IsNullOrEmpty(r.Spec?.Fingerprint) ? [] : [r.Spec.Fingerprint]);
        cache.AddIndex(Requester, r => string.IsNullOrEmpty(r.Spec?.Requester?.Username) ? [] : [r.Spec.Requester.Username]);
        cache.AddIndex(ChangeSetObject, r => r.Spec?.ChangeSet?.Objects is { Count: > 0 } objects
            ? [.. objects.Where(o => o.Operation != "APPLY").Select(o => o.Fingerprint).Where(f => f.Length > 0).Distinct(StringComparer.Ordinal)]
            : []);
        cache.AddIndex(ChangeSetTarget, r => r.Spec?.ChangeSet?.Objects is { Count: > 0 } objects
            ? [.. objects.Where(o => o.Operation == "APPLY").Select(o => ObjectKey(o.Group, o.Resource, o.Namespace, o.Name)).Distinct(StringComparer.Ordinal)]
            : []);
        cache.AddIndex(Object, r => r.Spec?.Action is { Name: { Length: > 0 } } a ? [ObjectKey(a.Group, a.Resource, a.Namespace, a.Name)] : []);
        return cache;
    }

    /// <summary>The <see cref="Object"/> index key: group, resource (without subresource), namespace and name.</summary>
    public static string ObjectKey(string group, string resource, string? @namespace, string name)
    {
        var slash = resource.IndexOf('/', StringComparison.Ordinal);
        var baseResource = slash < 0 ? resource : resource[..slash];
        return string.Join('/', group, baseResource, @namespace ?? "", name);
    }
}
