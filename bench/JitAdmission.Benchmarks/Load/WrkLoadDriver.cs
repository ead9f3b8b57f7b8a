using System.Globalization;
using System.Text.Json;
using JitAdmission.Benchmarks.Orchestration;

namespace JitAdmission.Benchmarks.Load;

/// <summary>
/// wrk (C, epoll, OpenSSL) with bench/wrk/admission.lua: one thread on the client CPU, <c>connections</c> keep-alive
/// TLS connections posting the same AdmissionReview; latency percentiles from wrk's own histogram.
/// </summary>
public sealed class WrkLoadDriver(string wrk, string script, string cpus)
{
    public async Task<LoadResult> RunAsync(Uri url, string bodyFile, int connections, TimeSpan duration)
    {
        ArgumentNullException.ThrowIfNull(url);
        var seconds = Math.Max(1, (int)Math.Round(duration.TotalSeconds));
        var result = await Processes.RunAsync("taskset",
            ["-c", cpus, wrk, "-t1", "-c" + connections.ToString(CultureInfo.InvariantCulture), "-d" + seconds.ToString(CultureInfo.InvariantCulture) + "s",
             "--timeout", "10s", "-s", script, url.ToString(), "--", bodyFile],
            TimeSpan.FromSeconds(seconds + 30));
        var line = result.Stdout.Split('\n').FirstOrDefault(l => l.StartsWith("JSON ", StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"wrk gave no result: {result}");
        using var json = JsonDocument.Parse(line[5..]);
        var r = json.RootElement;
        long L(string name) => r.GetProperty(name).GetInt64();
        var requests = L("requests");
        var durationSeconds = L("durationUs") / 1e6;
        return new LoadResult
        {
            Driver = "wrk",
            Connections = connections,
            DurationSeconds = durationSeconds,
            Requests = requests,
            RequestsPerSecond = requests / durationSeconds,
            Errors = L("connectErrors") + L("readErrors") + L("writeErrors") + L("statusErrors") + L("timeouts"),
            LatencyUs = new Percentiles
            {
                Mean = r.GetProperty("mean").GetDouble(),
                P50 = L("p50"),
                P90 = L("p90"),
                P99 = L("p99"),
                P999 = L("p999"),
                Max = L("max"),
            },
        };
    }
}
