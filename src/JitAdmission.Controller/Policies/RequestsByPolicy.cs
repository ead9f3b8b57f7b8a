namespace JitAdmission.Controller.Policies;

/// <summary>
/// The ApprovalRequest cache index by named policy: a policy change re-evaluates every request naming it
/// (requirements are live), and a policy's status counts its pending and approved requests without a scan.
/// </summary>
public static class RequestsByPolicy
{
    public const string Index = "policy";

    /// <summary>Adds the index unless the cache has it already.</summary>
    public static ResourceCache<ApprovalRequest> AddPolicyIndex(this ResourceCache<ApprovalRequest> cache)
    {
        ArgumentNullException.ThrowIfNull(cache);
        try
        {
            cache.AddIndex(Index, r => r.Spec?.Policies ?? []);
        }
        catch (InvalidOperationException)
        {
            // Already added (a second controller over the same caches, e.g. in tests): the same function, keep it.
        }

        return cache;
    }

    public static IReadOnlyList<ApprovalRequest> Naming(IResourceCacheReader<ApprovalRequest> requests, string policy)
    {
        ArgumentNullException.ThrowIfNull(requests);
        return requests.ByIndex(Index, policy);
    }
}
