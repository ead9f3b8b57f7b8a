using System.Globalization;

namespace JitAdmission.Benchmarks.Orchestration;

/// <summary>The issue's targets, checked against this run's measurements only. A target without data is a MISS.</summary>
public static class Targets
{
    public const double ThroughputShare = 0.70;
    public const double ServerP99Us = 1000;
    public const double PolicyCostRatio = 2.0;
    public const double MemoryMiB = 150;
    public const double HeldP99Ms = 250;

    public static void Evaluate(BenchReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var noMatch = report.Scenarios.Where(s => s.Server == "jit-admission" && s.Kind.StartsWith("no-match", StringComparison.Ordinal)).ToList();
        var baselines = report.Scenarios.Where(s => s.Server == "baseline").ToList();

        // Throughput against the baseline run just before (same machine state), and against the best baseline run of the
        // same object size and connections anywhere in the run (the most conservative comparison, shown alongside).
        foreach (var s in report.Scenarios.Where(s => s.Server == "jit-admission"))
        {
            var best = baselines.Where(b => b.ObjectBytes == s.ObjectBytes && b.Client.Connections == s.Client.Connections)
                .Select(b => b.Client.RequestsPerSecond).DefaultIfEmpty(0).Max();
            s.ThroughputVsBestBaseline = best > 0 ? s.Client.RequestsPerSecond / best : null;
            var paired = baselines.FirstOrDefault(b => b.Id == s.PairedBaseline);
            s.ThroughputVsBaseline = paired is { Client.RequestsPerSecond: > 0 } ? s.Client.RequestsPerSecond / paired.Client.RequestsPerSecond : null;
        }

        var t = report.Targets;
        t.Clear();
        var saturating = report.Method.Connections;
        var saturated = noMatch.Where(s => s.Client.Connections == saturating).ToList();

        // Judged on the interleaved comparison (both servers taking turns in short slices: the same machine for both)
        // where the run made one; otherwise on the separate run against the baseline run just before it.
        var shares = saturated.Select(s =>
            {
                var interleaved = report.Interleaved.FirstOrDefault(i => i.Kind == s.Kind && i.Policies == s.Policies && i.ObjectBytes == s.ObjectBytes
                    && i.CachedRequests == s.CachedRequests && i.Connections == saturating);
                return interleaved is not null
                    ? (s.Id, Share: (double?)interleaved.Ratio, How: $"interleaved {interleaved.Rounds} × {interleaved.SliceSeconds:0.#} s; separate run {s.ThroughputVsBaseline:P0}")
                    : (s.Id, Share: s.ThroughputVsBaseline, How: "separate run");
            })
            .ToList();
        var judged = shares.Where(x => x.Share is not null).ToList();
        var worstShare = judged.MinBy(x => x.Share);
        t.Add(new TargetResult
        {
            Target = $"Non-matching requests: throughput ≥ {ThroughputShare:P0} of the baseline (every saturating no-match scenario, {saturating} connections, same object size; "
                + "baseline and jit-admission taking turns in short slices where measured, else the baseline run just before)",
            Measured = worstShare.Id is null ? "no data" : $"worst {worstShare.Share:P0} ({worstShare.Id}); best {judged.Max(x => x.Share):P0}; "
                + $"separate runs {saturated.Min(s => s.ThroughputVsBaseline):P0}–{saturated.Max(s => s.ThroughputVsBaseline):P0}; "
                + $"against the best baseline run of the whole run instead: worst {saturated.Min(s => s.ThroughputVsBestBaseline):P0}",
            Pass = judged.Count > 0 && judged.Count == shares.Count && judged.All(x => x.Share >= ThroughputShare),
            Detail = string.Join("; ", judged.Select(x => $"{x.Id} {x.Share:P0} ({x.How})")),
        });

        // The issue asks for the server-side *decision* time from the metrics histogram: judged on
        // jitadmission_admission_decision_seconds (from the body read on); the whole request (body arriving over TLS
        // while other connections wait for the same core) is shown next to it.
        foreach (var (connections, how) in new[] { (saturating, $"at saturation, {saturating} connections"), (1, "one connection, no queueing") })
        {
            var runs = noMatch.Where(s => s.Client.Connections == connections).ToList();
            var withDecision = runs.Where(s => s.Decision is { Count: > 0 }).ToList();
            var worst = withDecision.MaxBy(s => s.Decision!.P99AtMostUs);
            var worstRequest = runs.Where(s => s.ServerSide is { Count: > 0 }).MaxBy(s => s.ServerSide!.P99AtMostUs);
            t.Add(new TargetResult
            {
                Target = $"Non-matching requests: server-side decision p99 under 1 ms ({how}; every no-match run)",
                Measured = worst is null ? "no data"
                    : $"worst decision p99 ≤ {Us(worst.Decision!.P99AtMostUs)} (histogram bucket; interpolated {Us(worst.Decision.P99Us)}) in {worst.Id}"
                        + (worstRequest is null ? "" : $"; whole request incl. reading the body: worst p99 ≤ {Us(worstRequest.ServerSide!.P99AtMostUs)} in {worstRequest.Id}"),
                Pass = withDecision.Count > 0 && withDecision.Count == runs.Count && withDecision.All(s => s.Decision!.P99AtMostUs <= ServerP99Us),
                Detail = string.Join("; ", withDecision.Select(s => $"{s.Id} decision ≤{Us(s.Decision!.P99AtMostUs)}, request ≤{Us(s.ServerSide!.P99AtMostUs)}")),
            });
        }

        // Judged on the interleaved comparison with a one-policy twin where the run made one (both sides in the same
        // seconds); the separate runs of each policy count, minutes apart, are shown next to it.
        var fewest = noMatch.Where(s => s.CachedRequests == 0).Select(s => s.Policies).DefaultIfEmpty(0).Min();
        var most = noMatch.Where(s => s.CachedRequests == 0).Select(s => s.Policies).DefaultIfEmpty(0).Max();
        var separate = new List<(string What, double Ratio)>();
        foreach (var many in noMatch.Where(s => s.CachedRequests == 0 && s.Policies == most && most > fewest))
        {
            var one = noMatch.FirstOrDefault(s => s.CachedRequests == 0 && s.Policies == fewest && s.Kind == many.Kind && s.ObjectBytes == many.ObjectBytes
                && s.Client.Connections == many.Client.Connections);
            if (one is null) continue;
            var label = $"{many.Kind}, {BenchRun.SizeLabel(many.ObjectBytes)}, {many.Client.Connections} conn.";
            if (one.ServerSide is { MeanUs: > 0 } a && many.ServerSide is { } b) separate.Add(($"{label}: server mean", b.MeanUs / a.MeanUs));
            separate.Add(($"{label}: client p50", Ratio(many.Client.LatencyUs.P50, one.Client.LatencyUs.P50)));
            separate.Add(($"{label}: client p99", Ratio(many.Client.LatencyUs.P99, one.Client.LatencyUs.P99)));
        }

        var interleaved = new List<(string What, double Ratio)>();
        foreach (var c in report.PolicyCost)
        {
            var label = $"{c.Kind}, {BenchRun.SizeLabel(c.ObjectBytes)}, {c.Connections} conn.";
            if (c.Few.ServerMeanUs > 0) interleaved.Add(($"{label}: server mean", c.Many.ServerMeanUs / c.Few.ServerMeanUs));
            interleaved.Add(($"{label}: client p50", Ratio(c.Many.ClientP50Us, c.Few.ClientP50Us)));
            interleaved.Add(($"{label}: client p99", Ratio(c.Many.ClientP99Us, c.Few.ClientP99Us)));
        }

        var judgedRatios = interleaved.Count > 0 ? interleaved : separate;
        var manyPolicies = report.PolicyCost.Count > 0 ? report.PolicyCost[0].Many.Policies : most;
        var fewPolicies = report.PolicyCost.Count > 0 ? report.PolicyCost[0].Few.Policies : fewest;
        var worstRatio = judgedRatios.Count == 0 ? default : judgedRatios.MaxBy(r => r.Ratio);
        var worstSeparate = separate.Count == 0 ? default : separate.MaxBy(r => r.Ratio);
        t.Add(new TargetResult
        {
            Target = $"{manyPolicies.ToString("N0", CultureInfo.InvariantCulture)} policies cost at most {PolicyCostRatio:0}× the latency of {fewPolicies} for non-matching requests "
                + "(server-side mean, client p50 and p99; a one-policy twin and jit-admission taking turns in short slices where measured, else separate runs)",
            Measured = judgedRatios.Count == 0 ? "no data"
                : $"worst {worstRatio.Ratio:0.00}× ({worstRatio.What}{(interleaved.Count > 0 ? ", interleaved" : ", separate runs")})"
                    + (interleaved.Count > 0 && separate.Count > 0 ? $"; separate runs minutes apart: worst {worstSeparate.Ratio:0.00}× ({worstSeparate.What})" : ""),
            Pass = judgedRatios.Count > 0 && judgedRatios.All(r => r.Ratio <= PolicyCostRatio),
            Detail = (interleaved.Count > 0 ? "interleaved: " + string.Join("; ", interleaved.Select(r => $"{r.What} {r.Ratio:0.00}×")) + ". Separate runs: " : "")
                + string.Join("; ", separate.Select(r => $"{r.What} {r.Ratio:0.00}×")),
        });

        var m = report.Memory;
        var steady = Math.Max(m.RssIdleMiB, m.RssAfterLoadMiB);
        t.Add(new TargetResult
        {
            Target = $"Memory ≤ {MemoryMiB:0} MiB resident with {m.Policies.ToString("N0", CultureInfo.InvariantCulture)} policies and {m.CachedRequests.ToString("N0", CultureInfo.InvariantCulture)} requests cached",
            Measured = m.CachedRequests == 0 ? "no data" : $"{steady:0.0} MiB (idle {m.RssIdleMiB:0.0}, after load {m.RssAfterLoadMiB:0.0}; peak during the run {m.PeakRssMiB:0.0})",
            Pass = m.CachedRequests > 0 && steady <= MemoryMiB,
            Detail = $"RSS at start (no policy, nothing cached) {m.RssAtStartMiB:0.0} MiB ({m.StartBreakdown}); idle with everything cached: {m.IdleBreakdown}; "
                + $"after load: {m.AfterLoadBreakdown}; baseline server {m.BaselineRssMiB:0.0} MiB",
        });

        var h = report.Held;
        t.Add(new TargetResult
        {
            Target = $"Approval to held-call return: p99 under {HeldP99Ms:0} ms on the sandbox API server",
            Measured = h.Allowed == 0 ? "no data" : $"p99 {h.ApproveToReturnMs.P99:0.0} ms (p50 {h.ApproveToReturnMs.P50:0.0}, max {h.ApproveToReturnMs.Max:0.0}) over {h.Allowed} of {h.Calls} calls",
            Pass = h.Allowed > 0 && h.Failed == 0 && h.ApproveToReturnMs.P99 < HeldP99Ms,
            Detail = h.Failed > 0 ? $"{h.Failed} held calls failed: {string.Join("; ", h.Errors.Take(3))}" : "",
        });
    }

    private static double Ratio(double a, double b) => b > 0 ? a / b : double.PositiveInfinity;

    internal static string Us(double us) => us >= 1000 ? $"{us / 1000:0.00} ms" : $"{us:0} µs";
}
