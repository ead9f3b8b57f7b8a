using JitAdmission.Core.Api;
using JitAdmission.Integration.Tests.Infrastructure;
using JitAdmission.Integration.Tests.Infrastructure.Proxy;
using JitAdmission.Integration.Tests.KubernetesEdge.Support;
using JitAdmission.Kubernetes.Caching;
using JitAdmission.Kubernetes.Tests.Support;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;

namespace JitAdmission.Integration.Tests.KubernetesEdge;

/// <summary>The list+watch cache against a real API server.</summary>
public sealed class ResourceCacheTests(KubeSandbox sandbox) : IClassFixture<KubeSandbox>, IAsyncLifetime
{
    private readonly IKubernetes _admin = sandbox.AdminClient();
    private string _ns = "";

    public async Task InitializeAsync()
    {
        await sandbox.EnsureWidgetCrdAsync();
        _ns = await _admin.NewNamespaceAsync("cache");
    }

    public Task DisposeAsync()
    {
        _admin.Dispose();
        return Task.CompletedTask;
    }

    private ResourceCache<Widget> NewCache(IKubernetes client, ResourceCacheOptions? options = null) =>
        new(client, Widget.Descriptor.InNamespace(_ns), TimeProvider.System, NullLogger<ResourceCache<Widget>>.Instance, options);

    [Fact]
    public async Task Sync_loads_every_preexisting_object_across_pages()
    {
        for (var i = 0; i < 7; i++) await _admin.CreateWidgetAsync(Widget.Make(_ns, $"w{i}", size: i));
        var cache = NewCache(_admin, new ResourceCacheOptions { PageSize = 3 });
        Assert.False(cache.IsSynced);

        await using var run = Running.Start(cache.RunAsync);
        await cache.WaitForSyncAsync(new CancellationTokenSource(TimeSpan.FromSeconds(15)).Token);

        Assert.True(cache.IsSynced);
        Assert.Equal(7, cache.List().Count);
        Assert.Equal(4, cache.Get(_ns, "w4")!.Spec.Size);
        Assert.Null(cache.Get(_ns, "missing"));
        Assert.Equal(7, cache.ByIndex(ResourceCache<Widget>.NamespaceIndex, _ns).Count);
        Assert.Equal(1, cache.ListCount);
        Assert.False(string.IsNullOrEmpty(cache.LastResourceVersion));
    }

    [Fact]
    public async Task A_resource_the_server_does_not_serve_is_reported_as_a_missing_CRD_without_a_stack_trace()
    {
        var logger = new RecordingLogger<ResourceCache<Widget>>();
        var cache = new ResourceCache<Widget>(_admin, new ResourceDescriptor("nowhere.jitadmission.io", "v1", "gizmos", Namespaced: true), TimeProvider.System, logger,
            new ResourceCacheOptions { InitialBackoff = TimeSpan.FromMilliseconds(50), MaxBackoff = TimeSpan.FromMilliseconds(100) });

        await using (Running.Start(cache.RunAsync))
            await Poll.UntilAsync(() => !logger.Entries.IsEmpty, TimeSpan.FromSeconds(10), "a list failure is logged");

        var (level, message, exception) = logger.Entries.First();
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Warning, level);
        Assert.Contains("Listing gizmos.nowhere.jitadmission.io failed: the API server does not serve it (404 Not Found). Are the CRDs installed", message, StringComparison.Ordinal);
        Assert.Null(exception);
        Assert.False(cache.IsSynced);
    }

    [Fact]
    public async Task Changes_arrive_as_added_updated_deleted_in_order_with_old_and_new_objects()
    {
        var cache = NewCache(_admin);
        var log = new EventLog<Widget>();
        using var sub = cache.Subscribe(log.Add);
        await using var run = Running.Start(cache.RunAsync);
        await cache.WaitForSyncAsync(CancellationToken.None);

        var created = await _admin.CreateWidgetAsync(Widget.Make(_ns, "a", "red", 1));
        created.Spec.Size = 2;
        var updated = await _admin.ReplaceWidgetAsync(created);
        await _admin.CreateWidgetAsync(Widget.Make(_ns, "b"));
        await _admin.DeleteWidgetAsync(_ns, "a");

        await Poll.UntilAsync(() => log.Snapshot().Count >= 4);
        Assert.Equal(["Added a", "Updated a", "Added b", "Deleted a"], log.Lines());
        var update = log.Snapshot()[1];
        Assert.Equal(1, update.OldObject!.Spec.Size);
        Assert.Equal(2, update.NewObject!.Spec.Size);
        Assert.Equal(updated.Metadata.ResourceVersion, update.NewObject.Metadata.ResourceVersion);
        Assert.Null(log.Snapshot()[3].NewObject);
        Assert.Null(cache.Get(_ns, "a"));
        Assert.NotNull(cache.Get(_ns, "b"));
    }

    [Fact]
    public async Task Secondary_indexes_follow_updates_and_deletes_and_can_be_added_late()
    {
        var cache = NewCache(_admin);
        cache.AddIndex("color", w => [w.Spec.Color]);
        await _admin.CreateWidgetAsync(Widget.Make(_ns, "r1", "red"));
        await using var run = Running.Start(cache.RunAsync);
        await cache.WaitForSyncAsync(CancellationToken.None);
        cache.AddIndex("size", w => [w.Spec.Size.ToString(System.Globalization.CultureInfo.InvariantCulture)]);

        var r2 = await _admin.CreateWidgetAsync(Widget.Make(_ns, "r2", "red"));
        await _admin.CreateWidgetAsync(Widget.Make(_ns, "b1", "blue", size: 5));
        await Poll.UntilAsync(() => cache.List().Count == 3);
        Assert.Equal(["r1", "r2"], Names(cache.ByIndex("color", "red")));
        Assert.Equal(["b1"], Names(cache.ByIndex("color", "blue")));
        Assert.Equal(["r1", "r2"], Names(cache.ByIndex("size", "1")));

        r2.Spec.Color = "blue";
        await _admin.ReplaceWidgetAsync(r2);
        await Poll.UntilAsync(() => cache.ByIndex("color", "blue").Count == 2);
        Assert.Equal(["r1"], Names(cache.ByIndex("color", "red")));

        await _admin.DeleteWidgetAsync(_ns, "b1");
        await Poll.UntilAsync(() => cache.Get(_ns, "b1") is null);
        Assert.Equal(["r2"], Names(cache.ByIndex("color", "blue")));
        Assert.Empty(cache.ByIndex("size", "5"));
        Assert.Empty(cache.ByIndex("color", "green"));
        Assert.Throws<ArgumentException>(() => cache.ByIndex("nope", "x"));
    }

    [Fact]
    public async Task A_stripping_cache_holds_no_managed_fields_and_writes_of_its_copies_keep_the_stored_ones()
    {
        var listed = await _admin.CreateWidgetAsync(Widget.Make(_ns, "mf-listed"));
        Assert.NotEmpty(listed.Metadata.ManagedFields ?? []);
        var transformed = new System.Collections.Concurrent.ConcurrentQueue<(string?, bool)>();
        var cache = NewCache(_admin, new ResourceCacheOptions
        {
            StripManagedFields = true,
            Transform = o => transformed.Enqueue((((Widget)o).Metadata.Name, ((Widget)o).Metadata.ManagedFields is null)),
        });
        await using var run = Running.Start(cache.RunAsync);
        await cache.WaitForSyncAsync(new CancellationTokenSource(TimeSpan.FromSeconds(15)).Token);

        await _admin.CreateWidgetAsync(Widget.Make(_ns, "mf-watched"));
        await Poll.UntilAsync(() => cache.Get(_ns, "mf-watched") is not null);
        Assert.Null(cache.Get(_ns, "mf-listed")!.Metadata.ManagedFields);
        Assert.Null(cache.Get(_ns, "mf-watched")!.Metadata.ManagedFields);
        // The transform saw the listed and the watched object, each after its managedFields were dropped.
        Assert.Contains(("mf-listed", true), transformed);
        Assert.Contains(("mf-watched", true), transformed);

        // A cached copy written back (as status updates do) omits managedFields: the server keeps what it had.
        var copy = cache.Get(_ns, "mf-listed")!;
        copy.Spec.Size = 7;
        var written = await _admin.ReplaceWidgetAsync(copy);
        Assert.NotEmpty(written.Metadata.ManagedFields ?? []);
        Assert.True(cache.Upsert(written) || cache.Get(_ns, "mf-listed")!.Metadata.ResourceVersion == written.Metadata.ResourceVersion);
        Assert.Null(written.Metadata.ManagedFields);
        Assert.Null(cache.Get(_ns, "mf-listed")!.Metadata.ManagedFields);
        Assert.Equal(7, cache.Get(_ns, "mf-listed")!.Spec.Size);
    }

    [Fact]
    public async Task Upsert_applies_our_own_newer_write_at_once_and_refuses_stale_ones()
    {
        var cache = NewCache(_admin);
        await using var run = Running.Start(cache.RunAsync);
        await cache.WaitForSyncAsync(CancellationToken.None);
        var v1 = await _admin.CreateWidgetAsync(Widget.Make(_ns, "u", size: 1));
        await Poll.UntilAsync(() => cache.Get(_ns, "u") is not null);

        var copy = await _admin.GetWidgetAsync(_ns, "u");
        copy.Spec.Size = 2;
        var v2 = await _admin.ReplaceWidgetAsync(copy);
        var applied = cache.Upsert(v2);

        Assert.True(applied || cache.Get(_ns, "u")!.Metadata.ResourceVersion == v2.Metadata.ResourceVersion);
        Assert.Equal(2, cache.Get(_ns, "u")!.Spec.Size);
        Assert.False(cache.Upsert(v1), "an older version must not replace a newer one");
        Assert.Equal(2, cache.Get(_ns, "u")!.Spec.Size);

        await _admin.DeleteWidgetAsync(_ns, "u");
        await Poll.UntilAsync(() => cache.Get(_ns, "u") is null);
        Assert.False(cache.Upsert(v2), "a write the watch has already seen deleted must not come back");
        Assert.Null(cache.Get(_ns, "u"));
    }

    [Fact]
    public async Task A_dropped_watch_resumes_from_the_last_resource_version_without_losing_changes()
    {
        await using var proxy = LoopbackTcpProxy.For(new Uri(sandbox.ServerUrl));
        using var client = new WatchableKubernetes(sandbox.AdminConfig(proxy.UrlFor(new Uri(sandbox.ServerUrl))));
        var cache = NewCache(client, new ResourceCacheOptions { InitialBackoff = TimeSpan.FromMilliseconds(200), RelistAfterFailures = 50 });
        var log = new EventLog<Widget>();
        using var sub = cache.Subscribe(log.Add);
        await _admin.CreateWidgetAsync(Widget.Make(_ns, "keep"));
        var doomed = await _admin.CreateWidgetAsync(Widget.Make(_ns, "doomed"));
        var changed = await _admin.CreateWidgetAsync(Widget.Make(_ns, "changed", size: 1));
        await using var run = Running.Start(cache.RunAsync);
        await cache.WaitForSyncAsync(CancellationToken.None);
        var watchesBefore = cache.WatchCount;

        proxy.Pause();
        changed.Spec.Size = 9;
        await _admin.ReplaceWidgetAsync(changed);
        await _admin.DeleteWidgetAsync(_ns, doomed.Metadata.Name);
        await _admin.CreateWidgetAsync(Widget.Make(_ns, "born"));
        await Poll.UntilAsync(() => proxy.RefusedConnections >= 1, because: "the cache should try to reconnect while the path is cut");
        proxy.Resume();

        await Poll.UntilAsync(() => cache.Get(_ns, "born") is not null && cache.Get(_ns, "doomed") is null && cache.Get(_ns, "changed")?.Spec.Size == 9);
        // The list arrives in name order; the changes made during the outage follow in the order they were made.
        Assert.Equal(["Added changed", "Added doomed", "Added keep", "Updated changed", "Deleted doomed", "Added born"], log.Lines());
        Assert.Equal(1, cache.ListCount); // resumed from the resourceVersion: no re-list was needed
        Assert.True(cache.WatchCount > watchesBefore);
    }

    [Fact]
    public async Task Bookmarks_advance_the_resource_version_without_events()
    {
        var other = await _admin.NewNamespaceAsync("other");
        var cache = NewCache(_admin, new ResourceCacheOptions { MinWatchTimeout = TimeSpan.FromSeconds(2) });
        var log = new EventLog<Widget>();
        using var sub = cache.Subscribe(log.Add);
        await using var run = Running.Start(cache.RunAsync);
        await cache.WaitForSyncAsync(CancellationToken.None);
        var synced = ulong.Parse(cache.LastResourceVersion!, System.Globalization.CultureInfo.InvariantCulture);

        // Widgets in another namespace move the resource's version; our namespace-scoped watch only learns it from bookmarks.
        var elsewhere = await _admin.CreateWidgetAsync(Widget.Make(other, "elsewhere"));
        var target = ulong.Parse(elsewhere.Metadata.ResourceVersion, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(target > synced);

        await Poll.UntilAsync(() => ulong.Parse(cache.LastResourceVersion!, System.Globalization.CultureInfo.InvariantCulture) >= target, TimeSpan.FromSeconds(20));
        Assert.Empty(log.Snapshot());
        Assert.Equal(1, cache.ListCount);
    }

    [Fact]
    public async Task Built_in_cluster_scoped_resources_are_cached_too()
    {
        var cache = new ResourceCache<V1Namespace>(_admin, ResourceDescriptor.Namespaces.WithLabelSelector("team=payments"), TimeProvider.System,
            NullLogger<ResourceCache<V1Namespace>>.Instance);
        await using var run = Running.Start(cache.RunAsync);
        await cache.WaitForSyncAsync(CancellationToken.None);
        Assert.Empty(cache.List());

        var name = "pay-" + _ns;
        await _admin.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = name, Labels = new Dictionary<string, string> { ["team"] = "payments" } } });

        await Poll.UntilAsync(() => cache.Get(null, name) is not null);
        Assert.Equal("payments", cache.Get(null, name)!.Metadata.Labels["team"]);
        Assert.Equal(name, cache.Get(null, name)!.Metadata.Labels["kubernetes.io/metadata.name"]);
        Assert.Null(cache.Get(null, _ns)); // not selected
    }

    private static string[] Names(IEnumerable<Widget> widgets) => [.. widgets.Select(w => w.Metadata.Name).Order(StringComparer.Ordinal)];
}
