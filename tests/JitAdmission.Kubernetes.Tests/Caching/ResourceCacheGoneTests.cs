using JitAdmission.Kubernetes.Caching;
using JitAdmission.Kubernetes.Tests.Support;
using k8s.Models;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;

namespace JitAdmission.Kubernetes.Tests.Caching;

/// <summary>410 Gone, which a real server sends once etcd compacted past our resourceVersion, from a scripted endpoint.</summary>
public sealed class ResourceCacheGoneTests
{
    [Theory]
    [InlineData("error-event")]
    [InlineData("http-410")]
    public async Task Gone_triggers_a_relist_that_reports_objects_removed_meanwhile_as_deleted(string how)
    {
        await using var api = await FakeWidgetApi.StartAsync();
        api.OnList = call => call == 1
            ? ([Versioned("a", "5"), Versioned("b", "6")], "10")
            : ([Versioned("a", "15"), Versioned("c", "16")], "20");
        api.OnWatch = async (rv, ctx) =>
        {
            if (rv == "10" && how == "error-event")
            {
                await FakeWidgetApi.WriteEventAsync(ctx, "ERROR", FakeWidgetApi.GoneStatus(rv));
            }
            else if (rv == "10")
            {
                ctx.Response.StatusCode = StatusCodes.Status410Gone;
                await ctx.Response.WriteAsJsonAsync(FakeWidgetApi.GoneStatus(rv));
            }
            else
            {
                await FakeWidgetApi.WriteEventAsync(ctx, "BOOKMARK", new { kind = "Widget", apiVersion = "test.jitadmission.io/v1", metadata = new { resourceVersion = "21" } });
                await FakeWidgetApi.HoldOpenAsync(ctx);
            }
        };
        using var client = api.Client();
        var cache = new ResourceCache<Widget>(client, Widget.Descriptor.InNamespace("ns"), TimeProvider.System, NullLogger<ResourceCache<Widget>>.Instance);
        cache.AddIndex("color", w => [w.Spec.Color]);
        var log = new EventLog<Widget>();
        using var sub = cache.Subscribe(log.Add);

        await using var run = Running.Start(cache.RunAsync);
        await Poll.UntilAsync(() => cache.LastResourceVersion == "21");

        Assert.Equal(["Added a", "Added b", "Updated a", "Added c", "Deleted b"], log.Lines());
        Assert.Equal(2, cache.ListCount);
        Assert.Equal(["10", "20"], api.WatchVersions);
        Assert.Null(cache.Get("ns", "b"));
        Assert.Equal("15", cache.Get("ns", "a")!.Metadata.ResourceVersion);
        Assert.Equal(["a", "c"], cache.ByIndex("color", "red").Select(w => w.Metadata.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_watch_that_ends_without_any_event_or_bookmark_is_followed_by_a_relist()
    {
        // What a server restored from an older etcd does with a resourceVersion from its future: nothing, until timeout.
        await using var api = await FakeWidgetApi.StartAsync();
        api.OnList = call => call == 1 ? ([Versioned("a", "50")], "50") : ([], "7");
        api.OnWatch = (rv, ctx) => rv == "50" ? ctx.Response.Body.FlushAsync() : FakeWidgetApi.HoldOpenAsync(ctx);
        using var client = api.Client();
        var cache = new ResourceCache<Widget>(client, Widget.Descriptor.InNamespace("ns"), TimeProvider.System, NullLogger<ResourceCache<Widget>>.Instance,
            new ResourceCacheOptions { InitialBackoff = TimeSpan.FromMilliseconds(10) });
        var log = new EventLog<Widget>();
        using var sub = cache.Subscribe(log.Add);

        await using var run = Running.Start(cache.RunAsync);
        await Poll.UntilAsync(() => cache.LastResourceVersion == "7");

        Assert.Equal(["Added a", "Deleted a"], log.Lines());
        Assert.Empty(cache.List());
    }

    private static Widget Versioned(string name, string rv)
    {
        var w = Widget.Make("ns", name);
        w.Metadata.ResourceVersion = rv;
        w.Metadata.Uid = "uid-" + name;
        return w;
    }
}
