using System.Text.Json;
using System.Text.Json.Nodes;
using JitAdmission.Core.Api;
using k8s;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace JitAdmission.Kubernetes.Tests.Support;

/// <summary>
/// A scripted Kubernetes list/watch endpoint for widgets on loopback HTTP, for server behaviour a real API server
/// only shows under conditions a test cannot arrange on demand (410 Gone after etcd compaction).
/// Lists are answered by <see cref="OnList"/> (called with the list call's number, from 1); watches by <see cref="OnWatch"/>.
/// </summary>
public sealed class FakeWidgetApi : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _lists;

    private FakeWidgetApi(WebApplication app) => _app = app;

    public Uri Url { get; private set; } = null!;

    public Func<int, (IReadOnlyList<Widget> Items, string ResourceVersion)> OnList { get; set; } = _ => ([], "1");

    /// <summary>Writes the watch response for a resourceVersion; by default holds the watch open without events.</summary>
    public Func<string?, HttpContext, Task> OnWatch { get; set; } = (_, ctx) => HoldOpenAsync(ctx);

    public List<string?> WatchVersions { get; } = [];

    public static async Task<FakeWidgetApi> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var api = new FakeWidgetApi(app);
        app.MapGet($"/apis/{Widget.Group}/{Widget.Version}/namespaces/{{ns}}/{Widget.Plural}", api.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        api.Url = new Uri(address);
        return api;
    }

    public IKubernetes Client() => new WatchableKubernetes(new KubernetesClientConfiguration { Host = Url.ToString() });

    public static async Task WriteEventAsync(HttpContext ctx, string type, object obj)
    {
        var line = JsonSerializer.Serialize(new { type, @object = obj }) + "\n";
        await ctx.Response.WriteAsync(line, ctx.RequestAborted);
        await ctx.Response.Body.FlushAsync(ctx.RequestAborted);
    }

    public static object GoneStatus(string rv) =>
        new { kind = "Status", apiVersion = "v1", metadata = new { }, status = "Failure", message = $"too old resource version: {rv}", reason = "Expired", code = 410 };

    public static async Task HoldOpenAsync(HttpContext ctx)
    {
        await ctx.Response.Body.FlushAsync(ctx.RequestAborted);
        try
        {
            await Task.Delay(Timeout.Infinite, ctx.RequestAborted);
        }
        catch (OperationCanceledException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext ctx)
    {
        ctx.Response.ContentType = "application/json";
        if (ctx.Request.Query["watch"] == "true")
        {
            string? rv = ctx.Request.Query["resourceVersion"];
            lock (WatchVersions) WatchVersions.Add(rv);
            await OnWatch(rv, ctx);
            return;
        }

        var (items, version) = OnList(Interlocked.Increment(ref _lists));
        var list = new JsonObject
        {
            ["apiVersion"] = $"{Widget.Group}/{Widget.Version}",
            ["kind"] = "WidgetList",
            ["metadata"] = new JsonObject { ["resourceVersion"] = version },
            ["items"] = new JsonArray([.. items.Select(i => JsonNode.Parse(KubernetesJson.Serialize(i)))]),
        };
        await ctx.Response.WriteAsync(list.ToJsonString(), ctx.RequestAborted);
    }
}
