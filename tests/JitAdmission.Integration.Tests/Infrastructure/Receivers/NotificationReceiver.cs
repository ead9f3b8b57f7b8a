using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace JitAdmission.Integration.Tests.Infrastructure.Receivers;

/// <summary>
/// A chat-webhook stand-in on 127.0.0.1 (Kestrel, plain HTTP): records every POST and answers 503 to the first
/// <see cref="FailFirst"/> attempts on each path, so retries can be observed.
/// </summary>
public sealed class NotificationReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly List<Received> _received = [];
    private readonly Dictionary<string, int> _attempts = new(StringComparer.Ordinal);

    private NotificationReceiver(WebApplication app, int failFirst)
    {
        _app = app;
        FailFirst = failFirst;
    }

    /// <summary>POSTs to each path answered with 503 before one is accepted.</summary>
    public int FailFirst { get; }

    public Uri Url { get; private set; } = null!;

    public sealed record Received(DateTimeOffset Time, string Path, int Status, string Body)
    {
        public string Text => JsonDocument.Parse(Body).RootElement.GetProperty("text").GetString() ?? "";

        public string Event => JsonDocument.Parse(Body).RootElement.GetProperty("event").GetString() ?? "";
    }

    public IReadOnlyList<Received> All
    {
        get
        {
            lock (_received) return [.. _received];
        }
    }

    /// <summary>The POSTs that were accepted (200) on a path.</summary>
    public IReadOnlyList<Received> Accepted(string path) => [.. All.Where(r => r.Path == path && r.Status == 200)];

    public static async Task<NotificationReceiver> StartAsync(int failFirst = 0)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var receiver = new NotificationReceiver(app, failFirst);
        app.MapPost("/{**path}", receiver.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        receiver.Url = new Uri(address);
        return receiver;
    }

    public string UrlFor(string path) => new Uri(Url, path).ToString();

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body);
        var body = await reader.ReadToEndAsync(context.RequestAborted);
        var path = context.Request.Path.Value ?? "/";
        int status;
        lock (_received)
        {
            var attempt = _attempts[path] = _attempts.GetValueOrDefault(path) + 1;
            status = attempt <= FailFirst ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status200OK;
            _received.Add(new Received(DateTimeOffset.UtcNow, path, status, body));
        }

        context.Response.StatusCode = status;
    }
}
