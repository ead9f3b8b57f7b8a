using System.Diagnostics;

namespace JitAdmission.Benchmarks.Orchestration;

public sealed partial class BenchRun
{
    /// <summary>
    /// The throughput comparison the target is judged on: the baseline and jit-admission take turns in short slices
    /// (baseline, no-match indexed, no-match unindexed; <see cref="BenchOptions.InterleavedRounds"/> rounds), so that
    /// both see the same machine. On a shared VM the speed of the core drifts by tens of percent within seconds, with
    /// nothing on the server core but the server (0 % foreign CPU): separate runs seconds apart then compare the
    /// drift as much as the servers. Each server's requests are summed over its slices.
    /// </summary>
    private async Task InterleavedAsync(int size, bool withUnindexed = true)
    {
        if (options.InterleavedRounds <= 0) return;
        var slice = TimeSpan.FromSeconds(options.InterleavedSliceSeconds);
        var turns = new List<(string Kind, WebhookServer Server, string Body)>
        {
            ("baseline", _baseline!, "deploy-unmatched"),
            (NoMatchIndexed, _jit!, "deploy-unmatched"),
        };
        if (withUnindexed) turns.Add((NoMatchUnindexed, _jit!, "configmap-unmatched"));
        var requests = new long[turns.Count];
        var rounds = new List<double[]>();
        await QuiesceAsync(30, window: 500);
        var clock = Stopwatch.StartNew();
        for (var round = 0; round < options.InterleavedRounds; round++)
        {
            var perSecond = new double[turns.Count];
            for (var i = 0; i < turns.Count; i++)
            {
                var (body, file) = _bodies[$"{turns[i].Body}-{size}"];
                var result = await DriveAsync(turns[i].Server, body, file, options.Connections, slice);
                requests[i] += result.Requests;
                perSecond[i] = result.RequestsPerSecond;
            }

            rounds.Add(perSecond);
        }

        for (var i = 1; i < turns.Count; i++)
        {
            var comparison = new InterleavedComparison
            {
                Kind = turns[i].Kind,
                Policies = _policies,
                CachedRequests = _cachedRequests,
                ObjectBytes = size,
                Connections = options.Connections,
                Rounds = options.InterleavedRounds,
                SliceSeconds = slice.TotalSeconds,
                BaselineRequests = requests[0],
                JitRequests = requests[i],
                Ratio = requests[0] > 0 ? (double)requests[i] / requests[0] : 0,
                RoundRatios = [.. rounds.Select(r => r[0] > 0 ? r[i] / r[0] : 0)],
            };
            _report.Interleaved.Add(comparison);
            Log($"  interleaved {Slug(comparison.Kind)}-{_policies}p-{SizeLabel(size)}-c{options.Connections}{(_cachedRequests > 0 ? $"-{_cachedRequests}r" : "")}: {comparison.Ratio:P0} of the baseline's requests "
                + $"over {options.InterleavedRounds} × {slice.TotalSeconds:0.#} s slices each (per round {string.Join(", ", comparison.RoundRatios.Select(r => r.ToString("P0", System.Globalization.CultureInfo.InvariantCulture)))}; {clock.Elapsed.TotalSeconds:0} s)");
        }
    }
}
