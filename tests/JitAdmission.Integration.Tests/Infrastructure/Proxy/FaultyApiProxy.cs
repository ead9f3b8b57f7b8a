using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;

namespace JitAdmission.Integration.Tests.Infrastructure.Proxy;

/// <summary>
/// An HTTPS reverse proxy on loopback between jit-admission and the API server, for one client identity, that injects
/// what a struggling API path does to a client: added latency, bursts of 5xx answers, connection resets, watches that
/// end with 410 Gone, and watches that stall silently (connection and HTTP/2 pings alive, no more events). Unlike
/// <see cref="LoopbackTcpProxy"/> it terminates TLS (with the sandbox's serving certificate, which the kubeconfig's CA
/// trusts) and calls the API server with the identity's own client certificate, so the API server sees the same user.
/// </summary>
public sealed class FaultyApiProxy : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly HttpClient _upstream;
    private readonly Uri _server;
    private readonly Lock _gate = new();
    private readonly HashSet<OpenWatch> _watches = [];
    private (TimeSpan Min, TimeSpan Max)? _latency;
    private DateTime _failUntil;
    private DateTime _resetUntil;
    private int _forwarded;
    private int _failed;
    private int _reset;
    private int _expired;
    private int _stalled;

    private FaultyApiProxy(WebApplication app, HttpClient upstream, Uri server)
    {
        _app = app;
        _upstream = upstream;
        _server = server;
    }

    /// <summary>The proxy's address (https://127.0.0.1:PORT).</summary>
    public Uri Url { get; private set; } = null!;

    public int Forwarded => Volatile.Read(ref _forwarded);
    public int FailedInjected => Volatile.Read(ref _failed);
    public int ResetInjected => Volatile.Read(ref _reset);
    public int WatchesExpired => Volatile.Read(ref _expired);
    public int WatchesStalled => Volatile.Read(ref _stalled);

    /// <summary>Watches open now (not stalled).</summary>
    public int OpenWatches
    {
        get
        {
            lock (_gate) return _watches.Count(w => !w.Stalled);
        }
    }

    /// <summary>
    /// A proxy for the identity of <paramref name="kubeconfig"/> (a kube-sandbox user kubeconfig, with its
    /// <c>.crt</c>/<c>.key</c> beside it), serving with <paramref name="servingCertificate"/>/<paramref name="servingKey"/>.
    /// </summary>
    public static async Task<FaultyApiProxy> StartAsync(string kubeconfig, Uri server, string servingCertificate, string servingKey)
    {
        var stem = kubeconfig[..^".kubeconfig".Length];
        var client = PemCertificate.Load(stem + ".crt", stem + ".key");
        var handler = new SocketsHttpHandler
        {
            SslOptions =
            {
                ClientCertificates = [client],
                // Loopback to the sandbox, whose CA the test trusts: the proxy checks nothing a test could get wrong.
                RemoteCertificateValidationCallback = (_, _, _, _) => true,
            },
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        };
        var upstream = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };

        var serving = PemCertificate.Load(servingCertificate, servingKey);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l =>
        {
            l.Protocols = HttpProtocols.Http1AndHttp2;
            l.UseHttps(serving);
        }));
        var app = builder.Build();
        var proxy = new FaultyApiProxy(app, upstream, server);
        app.Run(proxy.HandleAsync);
        await app.StartAsync();
        var address = app.Urls.Single();
        proxy.Url = new Uri(address.Replace("[::1]", "127.0.0.1", StringComparison.Ordinal));
        return proxy;
    }

    /// <summary>A copy of <paramref name="kubeconfig"/> whose server is this proxy (same user, same CA).</summary>
    public string KubeconfigThrough(string kubeconfig)
    {
        var text = File.ReadAllText(kubeconfig).Replace($"server: {_server.GetLeftPart(UriPartial.Authority)}", $"server: {Url.GetLeftPart(UriPartial.Authority)}",
            StringComparison.Ordinal);
        var stem = kubeconfig[..^".kubeconfig".Length];
        var path = stem + ".proxied.kubeconfig";
        File.WriteAllText(path, text);
        return path;
    }

    /// <summary>Adds a random delay in [min, max] before every call is forwarded (null: none).</summary>
    public void SetLatency(TimeSpan min, TimeSpan max)
    {
        lock (_gate) _latency = (min, max);
    }

    public void ClearLatency()
    {
        lock (_gate) _latency = null;
    }

    /// <summary>Answers every call with 503 for <paramref name="duration"/> (open watches keep running).</summary>
    public void FailFor(TimeSpan duration)
    {
        lock (_gate) _failUntil = DateTime.UtcNow + duration;
    }

    /// <summary>Resets every open call now, and every new one for <paramref name="duration"/>.</summary>
    public void ResetFor(TimeSpan duration)
    {
        List<OpenWatch> open;
        lock (_gate)
        {
            _resetUntil = DateTime.UtcNow + duration;
            open = [.. _watches];
        }

        foreach (var watch in open) watch.Context.Abort();
    }

    /// <summary>Ends every open watch with a 410 Gone ERROR event, as an API server does when its history is compacted.</summary>
    public int ExpireOpenWatches() => Signal(w => w.Expire.Cancel());

    /// <summary>Stops forwarding events on every open watch, leaving its connection open, until the client gives up.</summary>
    public int StallOpenWatches() => Signal(w =>
    {
        w.Stalled = true;
        Interlocked.Increment(ref _stalled);
    });

    private int Signal(Action<OpenWatch> action)
    {
        List<OpenWatch> open;
        lock (_gate) open = [.. _watches.Where(w => !w.Stalled)];
        foreach (var watch in open) action(watch);
        return open.Count;
    }

    private async Task HandleAsync(HttpContext context)
    {
        (TimeSpan Min, TimeSpan Max)? latency;
        bool failing, resetting;
        lock (_gate)
        {
            latency = _latency;
            failing = DateTime.UtcNow < _failUntil;
            resetting = DateTime.UtcNow < _resetUntil;
        }

        if (latency is { } l) await Task.Delay(l.Min + (l.Max - l.Min) * Random.Shared.NextDouble(), context.RequestAborted);
        if (resetting)
        {
            Interlocked.Increment(ref _reset);
            context.Abort();
            return;
        }

        if (failing)
        {
            Interlocked.Increment(ref _failed);
            context.Response.StatusCode = 503;
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(
                """{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"injected by the fault proxy","reason":"ServiceUnavailable","code":503}""",
                context.RequestAborted);
            return;
        }

        Interlocked.Increment(ref _forwarded);
        using var request = new HttpRequestMessage(new HttpMethod(context.Request.Method), new Uri(_server, context.Request.Path + context.Request.QueryString));
        if (context.Request.ContentLength > 0 || context.Request.Headers.TransferEncoding.Count > 0)
        {
            request.Content = new StreamContent(context.Request.Body);
            if (context.Request.ContentType is { } type) request.Content.Headers.TryAddWithoutValidation("Content-Type", type);
        }

        foreach (var (name, values) in context.Request.Headers)
        {
            if (name.StartsWith(':') || name is "Host" or "Connection" or "Transfer-Encoding" or "Content-Length" or "Content-Type" or "Keep-Alive") continue;
            request.Headers.TryAddWithoutValidation(name, values.ToArray());
        }

        HttpResponseMessage response;
        try
        {
            response = await _upstream.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, context.RequestAborted);
        }
        catch (Exception) when (!context.RequestAborted.IsCancellationRequested)
        {
            // The API server is down (a restart): what a client would see without the proxy is a failed connection.
            context.Abort();
            return;
        }

        using (response)
        {
            context.Response.StatusCode = (int)response.StatusCode;
            foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
            {
                if (name is "Transfer-Encoding" or "Connection" or "Keep-Alive" or "Content-Length") continue;
                context.Response.Headers[name] = values.ToArray();
            }

            var query = context.Request.Query["watch"].ToString();
            if (query is "true" or "1") await RelayWatchAsync(context, response);
            else await response.Content.CopyToAsync(context.Response.Body, context.RequestAborted);
        }
    }

    /// <summary>Relays a watch event by event (one JSON object per line), unless expired or stalled.</summary>
    private async Task RelayWatchAsync(HttpContext context, HttpResponseMessage response)
    {
        var watch = new OpenWatch(context);
        lock (_gate) _watches.Add(watch);
        try
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, watch.Expire.Token);
            await context.Response.StartAsync(context.RequestAborted);
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(context.RequestAborted), Encoding.UTF8);
            try
            {
                while (await reader.ReadLineAsync(linked.Token) is { } line)
                {
                    if (watch.Stalled) continue;
                    await context.Response.WriteAsync(line + "\n", context.RequestAborted);
                    await context.Response.Body.FlushAsync(context.RequestAborted);
                }
            }
            catch (OperationCanceledException) when (watch.Expire.IsCancellationRequested && !context.RequestAborted.IsCancellationRequested)
            {
                Interlocked.Increment(ref _expired);
                await context.Response.WriteAsync(
                    """{"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"too old resource version (injected by the fault proxy)","reason":"Expired","code":410}}""" + "\n",
                    context.RequestAborted);
                return;
            }

            // The API server ended the watch; a stalled one never tells the client: it stays open, silent, until the client gives up.
            if (watch.Stalled) await Task.Delay(Timeout.Infinite, context.RequestAborted);
        }
        catch (Exception) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away (or gave up on a stalled watch).
        }
        catch (IOException)
        {
            // The API server went away mid-watch (a restart): the client sees the stream end.
        }
        finally
        {
            lock (_gate) _watches.Remove(watch);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _upstream.Dispose();
    }

    private sealed class OpenWatch(HttpContext context)
    {
        public HttpContext Context { get; } = context;
        public CancellationTokenSource Expire { get; } = new();
        public volatile bool Stalled;
    }
}
