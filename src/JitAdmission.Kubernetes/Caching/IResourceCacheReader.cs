namespace JitAdmission.Kubernetes.Caching;

/// <summary>
/// The read side of a <see cref="ResourceCache{T}"/>: cheap, lock-free and safe from any thread. Returned objects
/// are shared with all readers and must not be modified; use <see cref="KubernetesObjects.DeepCopy{T}"/> first.
/// </summary>
public interface IResourceCacheReader<T>
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    /// <summary>True once the first list has been loaded; stays true through later re-lists.</summary>
    bool IsSynced { get; }

    /// <summary>The resource version up to which the cache reflects the server (list, watch events, bookmarks).</summary>
    string? LastResourceVersion { get; }

    Task WaitForSyncAsync(CancellationToken cancellationToken);

    /// <summary>The cached object; <paramref name="namespace"/> is null or empty for cluster-scoped objects.</summary>
    T? Get(string? @namespace, string name);

    IReadOnlyCollection<T> List();

    /// <summary>Objects whose index function returned <paramref name="key"/> for index <paramref name="index"/>.</summary>
    IReadOnlyList<T> ByIndex(string index, string key);

    /// <summary>
    /// Calls <paramref name="handler"/> for every change, in order, on the cache's own thread: keep it short and
    /// non-blocking (e.g. enqueue a key). With <paramref name="replayExisting"/>, the objects already cached are
    /// first delivered as Added, atomically with respect to later events. Dispose the result to unsubscribe.
    /// </summary>
    IDisposable Subscribe(Action<ResourceEvent<T>> handler, bool replayExisting = false);
}
