using JitAdmission.Benchmarks.Load;
using k8s;

namespace JitAdmission.Benchmarks.Orchestration;

public sealed partial class BenchRun
{
    private Sandbox? _twinSandbox;
    private IKubernetes? _twinAdmin;
    private WebhookServer? _twin;

    /// <summary>
    /// The comparison the policy-count target is judged on. The latency of separate runs minutes apart compares the
    /// machine's drift as much as the policy counts: on this VM a one-connection p99 swung 0.3-4.5x between runs of
    /// the same code. So a twin (a second kube-sandbox with the fewest policies, served by its own jit-admission on the
    /// same core) and the main jit-admission (the most policies) take turns in short slices, one scenario at a time,
    /// in alternating order, as the throughput comparison does with the baseline.
    /// </summary>
    private async Task PolicyCostAsync()
    {
        var fewest = options.PolicyCounts.Min();
        if (options.InterleavedRounds <= 0 || _policies <= fewest) return;
        await StartTwinAsync(fewest);
        try
        {
            foreach (var size in options.ObjectSizes)
            {
                foreach (var connections in new[] { options.Connections, 1 })
                {
                    foreach (var (kind, body) in new[] { (NoMatchIndexed, "deploy-unmatched"), (NoMatchUnindexed, "configmap-unmatched") })
                        await PolicyCostScenarioAsync(kind, body, size, connections, fewest);
                }
            }
        }
        finally
        {
            await StopTwinAsync();
        }
    }

    private async Task StartTwinAsync(int policies)
    {
        var sw = System.Diagnostics.Stopwatch.StartNew();
        (_twinSandbox, _twinAdmin, _twin) = await StartClusterAsync($"sandbox-{policies}p", UnmatchedNamespace, Cluster.TeamNamespace(0));
        await Cluster.ForEachAsync(0, policies, 8, i => Cluster.CreatePolicyAsync(_twinAdmin, Cluster.Policy(i)));
        await PoliciesReadyAsync(_twinAdmin, policies);
        foreach (var size in options.ObjectSizes)
        {
            foreach (var body in (string[])["deploy-unmatched", "configmap-unmatched"])
            {
                var (bytes, file) = _bodies[$"{body}-{size}"];
                await CheckAllowedAsync(_twin, bytes, $"the {policies}-policy twin, {body}");
                await DriveAsync(_twin, bytes, file, options.Connections, TimeSpan.FromSeconds(1));
            }
        }

        await QuiesceAsync(_twin, 30, 500);
        await QuiesceAsync(30, window: 500);
        Log($"twin with {policies} {(policies == 1 ? "policy" : "policies")} (pid {_twin.Pid}, its own kube-sandbox) ready in {sw.Elapsed.TotalSeconds:0.0} s");
    }

    private async Task StopTwinAsync()
    {
        if (_twin is not null) await _twin.DisposeAsync();
        _twin = null;
        _twinAdmin?.Dispose();
        _twinAdmin = null;
        if (_twinSandbox is not null) await _twinSandbox.DisposeAsync();
        _twinSandbox = null;
    }

    private async Task PolicyCostScenarioAsync(string kind, string bodyName, int size, int connections, int fewest)
    {
        var (body, file) = _bodies[$"{bodyName}-{size}"];
        // One connection answers far fewer requests per second: longer slices give each slice's p99 enough of them.
        var slice = TimeSpan.FromSeconds(options.InterleavedSliceSeconds * (connections == 1 ? 2 : 1));
        var sides = new[] { (Server: _twin!, Policies: fewest), (Server: _jit!, Policies: _policies) };
        var histograms = new Histogram?[2];
        var slices = new[] { new List<LoadResult>(), new List<LoadResult>() };
        for (var round = 0; round < options.InterleavedRounds; round++)
        {
            // Alternating order, so that neither side always runs right after the other.
            foreach (var i in round % 2 == 0 ? new[] { 0, 1 } : new[] { 1, 0 })
            {
                var server = sides[i].Server;
                var before = await server.ScrapeAsync();
                var result = await DriveAsync(server, body, file, connections, slice);
                var delta = Delta(before, await server.ScrapeAsync(), "jitadmission_admission_duration_seconds");
                histograms[i] = histograms[i] is { } sum ? sum.Plus(delta) : delta;
                slices[i].Add(result);
            }
        }

        PolicyCostSide Side(int i) => new()
        {
            Policies = sides[i].Policies,
            Requests = slices[i].Sum(r => r.Requests),
            ServerMeanUs = histograms[i] is { Count: > 0 } h ? h.Mean * 1e6 : 0,
            ClientP50Us = Median(slices[i].Select(r => r.LatencyUs.P50)),
            ClientP99Us = Median(slices[i].Select(r => r.LatencyUs.P99)),
            SliceP99Us = [.. slices[i].Select(r => Math.Round(r.LatencyUs.P99, 1))],
        };

        var comparison = new PolicyCostComparison
        {
            Kind = kind,
            ObjectBytes = size,
            Connections = connections,
            Rounds = options.InterleavedRounds,
            SliceSeconds = slice.TotalSeconds,
            Few = Side(0),
            Many = Side(1),
        };
        _report.PolicyCost.Add(comparison);
        Log($"  policy cost {Slug(kind)}-{SizeLabel(size)}-c{connections}: {comparison.Many.Policies} against {fewest} "
            + $"server mean {comparison.Many.ServerMeanUs:0} / {comparison.Few.ServerMeanUs:0} µs, client p50 {comparison.Many.ClientP50Us:0} / {comparison.Few.ClientP50Us:0} µs, "
            + $"p99 {comparison.Many.ClientP99Us:0} / {comparison.Few.ClientP99Us:0} µs (medians of {options.InterleavedRounds} × {slice.TotalSeconds:0.#} s slices)");
    }

    internal static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0) return 0;
        var mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
