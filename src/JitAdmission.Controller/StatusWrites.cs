namespace JitAdmission.Controller;

/// <summary>
/// The status write both reconcilers make, optimistic (with the cached resourceVersion): written, the cache takes the
/// new version at once (read-your-writes); refused because someone wrote first (a review was added, the webhook
/// recorded a use), the cache takes the server's version and the key is reconciled again at once; the object gone,
/// nothing is left to do; any other failure throws, and the work queue retries with backoff.
/// </summary>
internal static class StatusWrites
{
    /// <summary>The written object, or null and when to reconcile again (now after a conflict, never once deleted).</summary>
    public static async Task<(T? Written, TimeSpan? RequeueAfter)> WriteAsync<T>(
        ResourceCache<T> cache, string what, Func<Task<ApiResult<T>>> write, Func<Task<ApiResult<T>>> read)
        where T : class, k8s.IKubernetesObject<V1ObjectMeta>
    {
        var written = await write();
        switch (written.Outcome)
        {
            case ApiOutcome.Ok:
                cache.Upsert(written.Object);
                return (written.Object, null);
            case ApiOutcome.Conflict:
                await RefreshAsync(cache, what, read);
                return (null, TimeSpan.Zero);
            case ApiOutcome.NotFound:
                return (null, null);
            default:
                throw new ApiCallException($"writing the status of {what}: {written}");
        }
    }

    /// <summary>Puts the server's version into the cache (a deleted object is left to the watch).</summary>
    public static async Task RefreshAsync<T>(ResourceCache<T> cache, string what, Func<Task<ApiResult<T>>> read)
        where T : class, k8s.IKubernetesObject<V1ObjectMeta>
    {
        var fresh = await read();
        if (fresh.IsOk) cache.Upsert(fresh.Object);
        else if (fresh.Outcome != ApiOutcome.NotFound) throw new ApiCallException($"re-reading {what}: {fresh}");
    }
}
