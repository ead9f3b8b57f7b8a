using System.Collections.Immutable;
using System.Net;
using System.Text.Json;
using JitAdmission.Kubernetes.Api;
using k8s.Autorest;

namespace JitAdmission.Kubernetes.Caching;

/// <summary>
/// A list+watch cache ("informer") for one resource. <see cref="RunAsync"/> lists (paged), then watches from the
/// list's resourceVersion with bookmarks, resuming from the last seen resourceVersion after a dropped connection
/// (exponential backoff with jitter) and re-listing after 410 Gone, diffing so that objects removed meanwhile
/// produce Deleted events. Reads go to an immutable snapshot and never block.
/// </summary>
public sealed class ResourceCache<T> : IResourceCacheReader<T>
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    /// <summary>Built-in index of namespaced resources: namespace → objects.</summary>
    public const string NamespaceIndex = "namespace";

    private readonly IKubernetes _client;
    private readonly ResourceCacheOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string _resource;
    private readonly Lock _gate = new();
    private readonly TaskCompletionSource _synced = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private volatile CacheState<T> _state = CacheState<T>.Empty;
    private volatile string? _lastResourceVersion;
    private ImmutableDictionary<string, Func<T, string[]>> _indexers = ImmutableDictionary.Create<string, Func<T, string[]>>(StringComparer.Ordinal);
    private ImmutableArray<Action<ResourceEvent<T>>> _handlers = [];

    // Keys whose cached version came from Upsert and has not been seen from the server yet: only these may be
    // kept over an older listed version (a server restored from backup legitimately goes back in versions).
    private readonly HashSet<string> _unconfirmed = new(StringComparer.Ordinal);
    private int _running;
    private long _lists;
    private long _watches;

    public ResourceCache(IKubernetes client, ResourceDescriptor descriptor, TimeProvider time, ILogger<ResourceCache<T>> logger, ResourceCacheOptions? options = null)
    {
        _client = client;
        Descriptor = descriptor;
        _options = options ?? new ResourceCacheOptions();
        _time = time;
        _logger = logger;
        _resource = descriptor.ToString();
        if (descriptor.Namespaced) AddIndex(NamespaceIndex, o => [o.Metadata?.NamespaceProperty ?? ""]);
    }

    public ResourceDescriptor Descriptor { get; }

    public bool IsSynced => _synced.Task.IsCompleted;

    public string? LastResourceVersion => _lastResourceVersion;

    /// <summary>How many lists (initial and re-lists) were made; a resumed watch does not list.</summary>
    public long ListCount => Interlocked.Read(ref _lists);

    /// <summary>How many watch requests were opened.</summary>
    public long WatchCount => Interlocked.Read(ref _watches);

    public Task WaitForSyncAsync(CancellationToken cancellationToken) => _synced.Task.WaitAsync(cancellationToken);

    public T? Get(string? @namespace, string name) =>
        _state.Items.TryGetValue(ObjectKeys.For(@namespace, name), out var item) ? item : null;

    public IReadOnlyCollection<T> List() => _state.List;

    public IReadOnlyList<T> ByIndex(string index, string key) => _state.ByIndex(index, key);

    /// <summary>
    /// Adds a secondary index. Keys are computed once per object version and filed, so the index follows updates,
    /// deletions and re-lists. May be called before or after <see cref="RunAsync"/>; existing objects are indexed at once.
    /// </summary>
    public void AddIndex(string name, Func<T, IEnumerable<string>> keys)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        string[] Safe(T item)
        {
            try
            {
                return [.. keys(item).Distinct(StringComparer.Ordinal)];
            }
            catch (Exception e)
            {
                ResourceCacheLog.HandlerFailed(_logger, e, _resource);
                return [];
            }
        }

        lock (_gate)
        {
            if (_indexers.ContainsKey(name)) throw new InvalidOperationException($"index '{name}' already exists");
            _indexers = _indexers.Add(name, Safe);
            _state = _state.WithIndex(name, Safe);
        }
    }

    public IDisposable Subscribe(Action<ResourceEvent<T>> handler, bool replayExisting = false)
    {
        ArgumentNullException.ThrowIfNull(handler);
        lock (_gate)
        {
            if (replayExisting)
                foreach (var item in _state.Items.Values)
                    Invoke(handler, new ResourceEvent<T>(ResourceEventType.Added, null, item));
            _handlers = _handlers.Add(handler);
        }

        return new Subscription(this, handler);
    }

    /// <summary>
    /// Read-your-writes: applies an object returned by our own successful write, if it is newer than what the cache
    /// holds. An object the cache does not hold is only added when the watch has not yet reached its version (else it
    /// was deleted since). Returns whether the cache changed; subscribers see the change as Added or Updated.
    /// With <see cref="ResourceCacheOptions.StripManagedFields"/>, <paramref name="obj"/> loses its managedFields, and
    /// <see cref="ResourceCacheOptions.Transform"/> is applied to it.
    /// </summary>
    public bool Upsert(T obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        Prepare(obj);
        var key = ObjectKeys.For(obj);
        var version = obj.Metadata.ResourceVersion;
        lock (_gate)
        {
            if (_state.Items.TryGetValue(key, out var existing))
            {
                if (!ResourceVersions.IsNewer(version, existing.Metadata.ResourceVersion)) return false;
                _state = _state.WithItem(key, obj, _indexers);
                _unconfirmed.Add(key);
                Dispatch(new ResourceEvent<T>(ResourceEventType.Updated, existing, obj));
                return true;
            }

            if (ResourceVersions.IsKnownNotNewer(version, _lastResourceVersion)) return false;
            _state = _state.WithItem(key, obj, _indexers);
            _unconfirmed.Add(key);
            Dispatch(new ResourceEvent<T>(ResourceEventType.Added, null, obj));
            return true;
        }
    }

    /// <summary>Lists and watches until cancelled. Call once.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _running, 1) == 1) throw new InvalidOperationException("the cache is already running");
        var mustList = true;
        var failures = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            TimeSpan delay;
            if (mustList)
            {
                try
                {
                    await ListAsync(cancellationToken);
                    mustList = false;
                    failures = 0;
                    continue;
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    break;
                }
                catch (HttpOperationException e) when (e.Response is not null)
                {
                    // The API server answered: its status says it all, a stack trace would only bury it.
                    failures++;
                    delay = Jitter.Backoff(failures, _options.InitialBackoff, _options.MaxBackoff);
                    var refused = ApiCalls.FromHttpError<T>(e);
                    if (refused.Outcome == ApiOutcome.NotFound)
                        ResourceCacheLog.ListNotServed(_logger, _resource, failures, delay);
                    else
                        ResourceCacheLog.ListRefused(_logger, _resource, (int)e.Response.StatusCode, e.Response.StatusCode, refused.Message ?? "", failures, delay);
                }
                catch (Exception e)
                {
                    failures++;
                    delay = Jitter.Backoff(failures, _options.InitialBackoff, _options.MaxBackoff);
                    ResourceCacheLog.ListFailed(_logger, e, _resource, failures, delay);
                }
            }
            else
            {
                var from = _lastResourceVersion;
                var outcome = await WatchAsync(cancellationToken);
                if (cancellationToken.IsCancellationRequested) break;
                switch (outcome.Kind)
                {
                    case WatchEnd.Closed when outcome.Events > 0:
                        failures = 0;
                        ResourceCacheLog.WatchEnded(_logger, _resource, outcome.Events, _lastResourceVersion);
                        continue;
                    case WatchEnd.Closed:
                        // A healthy server sends a bookmark before it ends a watch; silence can mean our
                        // resourceVersion is unknown to it (e.g. restored etcd), which a re-list resolves.
                        ResourceCacheLog.WatchSilent(_logger, _resource, from);
                        mustList = true;
                        continue;
                    case WatchEnd.Expired:
                        ResourceCacheLog.WatchExpired(_logger, _resource, from);
                        mustList = true;
                        continue;
                    default:
                        failures = outcome.Events > 0 ? 1 : failures + 1;
                        mustList = outcome.Relist || failures >= _options.RelistAfterFailures;
                        delay = Jitter.Backoff(failures, _options.InitialBackoff, _options.MaxBackoff);
                        ResourceCacheLog.WatchFailed(_logger, outcome.Error!, _resource, failures, mustList, delay);
                        break;
                }
            }

            try
            {
                await Task.Delay(delay, _time, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    private async Task ListAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _lists);
        var items = new List<T>();
        string? continueToken = null;
        string? listVersion = null;
        do
        {
            JsonElement page;
            try
            {
                page = await ListPageAsync(continueToken, cancellationToken);
            }
            catch (HttpOperationException e) when (continueToken is not null && e.Response?.StatusCode == HttpStatusCode.Gone)
            {
                // The continue token expired mid-list: start over from a fresh snapshot.
                items.Clear();
                continueToken = null;
                continue;
            }

            var meta = page.TryGetProperty("metadata", out var m) ? m : default;
            listVersion = ReadString(meta, "resourceVersion");
            continueToken = ReadString(meta, "continue");
            if (page.TryGetProperty("items", out var list) && list.ValueKind == JsonValueKind.Array)
                foreach (var raw in list.EnumerateArray())
                    if (Decode(raw) is { } item) items.Add(item);
        }
        while (!string.IsNullOrEmpty(continueToken));

        Replace(items, listVersion);
        ResourceCacheLog.Listed(_logger, _resource, items.Count, listVersion);
    }

    private Task<JsonElement> ListPageAsync(string? continueToken, CancellationToken cancellationToken)
    {
        var d = Descriptor;
        return d.Namespace is null
            ? _client.CustomObjects.ListClusterCustomObjectAsync<JsonElement>(
                d.Group, d.Version, d.Plural, continueParameter: continueToken, fieldSelector: d.FieldSelector,
                labelSelector: d.LabelSelector, limit: _options.PageSize, cancellationToken: cancellationToken)
            : _client.CustomObjects.ListNamespacedCustomObjectAsync<JsonElement>(
                d.Group, d.Version, d.Namespace, d.Plural, continueParameter: continueToken, fieldSelector: d.FieldSelector,
                labelSelector: d.LabelSelector, limit: _options.PageSize, cancellationToken: cancellationToken);
    }

    /// <summary>Makes the cache hold exactly the listed objects, emitting the differences as events.</summary>
    private void Replace(List<T> listed, string? listVersion)
    {
        lock (_gate)
        {
            var current = _state.Items;
            var next = new Dictionary<string, T>(listed.Count, StringComparer.Ordinal);
            var events = new List<ResourceEvent<T>>();
            foreach (var item in listed)
            {
                var key = ObjectKeys.For(item);
                if (current.TryGetValue(key, out var cached))
                {
                    // Our own write (Upsert) may be newer than a list that started before it.
                    if (_unconfirmed.Contains(key) && ResourceVersions.IsKnownOlder(item.Metadata.ResourceVersion, cached.Metadata.ResourceVersion))
                    {
                        next[key] = cached;
                        continue;
                    }

                    _unconfirmed.Remove(key);

                    if (!string.Equals(cached.Metadata.ResourceVersion, item.Metadata.ResourceVersion, StringComparison.Ordinal))
                        events.Add(new ResourceEvent<T>(ResourceEventType.Updated, cached, item));
                }
                else
                {
                    events.Add(new ResourceEvent<T>(ResourceEventType.Added, null, item));
                }

                next[key] = item;
            }

            foreach (var (key, cached) in current)
            {
                if (next.ContainsKey(key)) continue;
                if (_unconfirmed.Contains(key) && ResourceVersions.IsKnownOlder(listVersion, cached.Metadata.ResourceVersion))
                {
                    next[key] = cached; // written by us after the list's snapshot
                    continue;
                }

                _unconfirmed.Remove(key);

                events.Add(new ResourceEvent<T>(ResourceEventType.Deleted, cached, null));
            }

            _state = CacheState<T>.Build(next, _indexers);
            _lastResourceVersion = listVersion;
            foreach (var e in events) Dispatch(e);
        }

        _synced.TrySetResult();
    }

    private async Task<WatchOutcome> WatchAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _watches);
        var d = Descriptor;
        var timeout = _options.MinWatchTimeout * (1 + Jitter.NextDouble());
        var timeoutSeconds = (int)Math.Max(1, Math.Ceiling(timeout.TotalSeconds));
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(timeoutSeconds) + _options.WatchGrace, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        V1Status? errorStatus = null;
        var events = 0;

        void OnError(Exception e)
        {
            if (e is KubernetesException { Status: { } status }) errorStatus = status;
            else ResourceCacheLog.DecodeFailed(_logger, e, _resource, null);
        }

        var stream = d.Namespace is null
            ? _client.CustomObjects.WatchListClusterCustomObjectAsync(
                d.Group, d.Version, d.Plural, allowWatchBookmarks: true, fieldSelector: d.FieldSelector, labelSelector: d.LabelSelector,
                resourceVersion: _lastResourceVersion, timeoutSeconds: timeoutSeconds, onError: OnError, cancellationToken: linked.Token)
            : _client.CustomObjects.WatchListNamespacedCustomObjectAsync(
                d.Group, d.Version, d.Namespace, d.Plural, allowWatchBookmarks: true, fieldSelector: d.FieldSelector, labelSelector: d.LabelSelector,
                resourceVersion: _lastResourceVersion, timeoutSeconds: timeoutSeconds, onError: OnError, cancellationToken: linked.Token);
        try
        {
            await foreach (var (type, element) in stream.WithCancellation(linked.Token))
            {
                events++;
                if (type == WatchEventType.Error)
                {
                    errorStatus = KubernetesJson.Deserialize<V1Status>(element);
                    break;
                }

                Handle(type, element);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return new WatchOutcome(WatchEnd.Failed, events);
        }
        catch (OperationCanceledException e)
        {
            return new WatchOutcome(WatchEnd.Failed, events, new TimeoutException("the watch outlived its timeout; the connection is presumed dead", e));
        }
        catch (HttpOperationException e) when (e.Response?.StatusCode == HttpStatusCode.Gone)
        {
            return new WatchOutcome(WatchEnd.Expired, events);
        }
        catch (Exception e)
        {
            return new WatchOutcome(WatchEnd.Failed, events, e, Relist: e is HttpOperationException);
        }

        if (errorStatus is null) return new WatchOutcome(WatchEnd.Closed, events);
        ResourceCacheLog.WatchErrorEvent(_logger, _resource, errorStatus.Code, errorStatus.Reason, errorStatus.Message);
        return errorStatus.Code == (int)HttpStatusCode.Gone || string.Equals(errorStatus.Reason, "Expired", StringComparison.Ordinal)
            ? new WatchOutcome(WatchEnd.Expired, events)
            : new WatchOutcome(WatchEnd.Failed, events, new KubernetesException(errorStatus), Relist: true);
    }

    private void Handle(WatchEventType type, JsonElement element)
    {
        var version = ReadString(element.TryGetProperty("metadata", out var meta) ? meta : default, "resourceVersion");
        var item = type == WatchEventType.Bookmark ? null : Decode(element);
        lock (_gate)
        {
            if (item is not null)
            {
                if (type == WatchEventType.Deleted) ApplyDelete(item);
                else ApplyUpsert(item);
            }

            if (version is not null) _lastResourceVersion = version;
        }
    }

    private void ApplyUpsert(T item)
    {
        var key = ObjectKeys.For(item);
        var version = item.Metadata.ResourceVersion;
        if (_state.Items.TryGetValue(key, out var cached))
        {
            var cachedVersion = cached.Metadata.ResourceVersion;
            if (string.Equals(cachedVersion, version, StringComparison.Ordinal))
            {
                _unconfirmed.Remove(key);
                return;
            }

            if (_unconfirmed.Contains(key) && ResourceVersions.IsKnownOlder(version, cachedVersion)) return; // our Upsert is ahead of the watch
        }

        _unconfirmed.Remove(key);

        _state = _state.WithItem(key, item, _indexers);
        Dispatch(cached is null
            ? new ResourceEvent<T>(ResourceEventType.Added, null, item)
            : new ResourceEvent<T>(ResourceEventType.Updated, cached, item));
    }

    private void ApplyDelete(T item)
    {
        var key = ObjectKeys.For(item);
        if (!_state.Items.TryGetValue(key, out var cached)) return;

        // A deletion of an earlier incarnation must not remove a re-created object we already hold.
        if (!string.Equals(cached.Metadata.Uid, item.Metadata.Uid, StringComparison.Ordinal)
            && ResourceVersions.IsKnownOlder(item.Metadata.ResourceVersion, cached.Metadata.ResourceVersion)) return;
        _state = _state.WithoutItem(key);
        _unconfirmed.Remove(key);
        Dispatch(new ResourceEvent<T>(ResourceEventType.Deleted, item, null));
    }

    private void Prepare(T item)
    {
        if (_options.StripManagedFields) item.Metadata.ManagedFields = null;
        _options.Transform?.Invoke(item);
    }

    private T? Decode(JsonElement element)
    {
        try
        {
            var item = KubernetesJson.Deserialize<T>(element);
            if (item?.Metadata?.Name is null) throw new JsonException("object without metadata.name");
            Prepare(item);
            return item;
        }
        catch (Exception e) when (e is JsonException or NotSupportedException or InvalidOperationException or FormatException)
        {
            var meta = element.ValueKind == JsonValueKind.Object && element.TryGetProperty("metadata", out var m) ? m : default;
            ResourceCacheLog.DecodeFailed(_logger, e, _resource, ReadString(meta, "name"));
            return null;
        }
    }

    private static string? ReadString(JsonElement element, string property) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    private void Dispatch(ResourceEvent<T> e)
    {
        foreach (var handler in _handlers) Invoke(handler, e);
    }

    private void Invoke(Action<ResourceEvent<T>> handler, ResourceEvent<T> e)
    {
        try
        {
            handler(e);
        }
        catch (Exception ex)
        {
            ResourceCacheLog.HandlerFailed(_logger, ex, _resource);
        }
    }

    private void Unsubscribe(Action<ResourceEvent<T>> handler)
    {
        lock (_gate) _handlers = _handlers.Remove(handler);
    }

    private enum WatchEnd
    {
        Closed,
        Expired,
        Failed,
    }

    private readonly record struct WatchOutcome(WatchEnd Kind, int Events, Exception? Error = null, bool Relist = false);

    private sealed class Subscription(ResourceCache<T> owner, Action<ResourceEvent<T>> handler) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0) owner.Unsubscribe(handler);
        }
    }
}
