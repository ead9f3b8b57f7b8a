using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;

namespace JitAdmission.Benchmarks.Load;

/// <summary>
/// The fallback load driver when wrk is not available: a closed loop of <c>connections</c> concurrent keep-alive
/// HTTP/1.1 connections over TLS, each posting the same AdmissionReview as soon as the previous answer is read.
/// Costs more client CPU per request than wrk, so with a single client core it may saturate before the server does:
/// the orchestrator reports the client's CPU use next to every result.
/// </summary>
public static class DotnetLoadDriver
{
    public static async Task<LoadResult> RunAsync(Uri url, byte[] body, int connections, TimeSpan warmup, TimeSpan duration, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(url);
        using var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = connections,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            AutomaticDecompression = DecompressionMethods.None,
            UseProxy = false,
            SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true },
        };
        using var client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(10), DefaultRequestVersion = HttpVersion.Version11 };

        var start = Stopwatch.GetTimestamp();
        var measureFrom = start + (long)(warmup.TotalSeconds * Stopwatch.Frequency);
        var end = measureFrom + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var workers = new Task<Worker>[connections];
        for (var i = 0; i < connections; i++) workers[i] = Task.Run(() => LoopAsync(client, url, body, measureFrom, end, cancellationToken), cancellationToken);
        var done = await Task.WhenAll(workers);

        var latencies = new List<double>(done.Sum(w => w.Latencies.Count));
        foreach (var w in done) latencies.AddRange(w.Latencies);
        latencies.Sort();
        var requests = latencies.Count;
        var seconds = duration.TotalSeconds;
        return new LoadResult
        {
            Driver = "dotnet",
            Connections = connections,
            DurationSeconds = seconds,
            Requests = requests,
            RequestsPerSecond = requests / seconds,
            Errors = done.Sum(w => w.Errors),
            LatencyUs = Percentiles.Of(latencies),
        };
    }

    private sealed class Worker
    {
        public List<double> Latencies { get; } = new(64 * 1024);
        public long Errors { get; set; }
    }

    private static async Task<Worker> LoopAsync(HttpClient client, Uri url, byte[] body, long measureFrom, long end, CancellationToken cancellationToken)
    {
        var worker = new Worker();
        var buffer = new byte[64 * 1024];
        var contentType = new MediaTypeHeaderValue("application/json");
        while (!cancellationToken.IsCancellationRequested)
        {
            var sent = Stopwatch.GetTimestamp();
            if (sent >= end) break;
            var ok = false;
            try
            {
                using var content = new ByteArrayContent(body);
                content.Headers.ContentType = contentType;
                using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = content, Version = HttpVersion.Version11 };
                using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
                await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
                while (await stream.ReadAsync(buffer, cancellationToken) > 0)
                {
                }

                ok = response.IsSuccessStatusCode;
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
            }

            var received = Stopwatch.GetTimestamp();
            if (sent < measureFrom || received > end) continue;
            if (ok) worker.Latencies.Add((received - sent) * 1_000_000.0 / Stopwatch.Frequency);
            else worker.Errors++;
        }

        return worker;
    }
}
