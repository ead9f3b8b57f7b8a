using System.Globalization;
using System.Text;

namespace JitAdmission.Benchmarks.Orchestration;

/// <summary>report.md: targets first, then every measurement the verdicts rest on, then the method.</summary>
public static class ReportMarkdown
{
    public static string Render(BenchReport r)
    {
        ArgumentNullException.ThrowIfNull(r);
        var sb = new StringBuilder();
        void L(string line = "") => sb.Append(line).Append('\n');
        var ci = CultureInfo.InvariantCulture;

        L("# JitAdmission benchmark report");
        L();
        L($"- Run: {r.StartedAt.ToString("yyyy-MM-dd HH:mm", ci)} UTC, {r.TotalSeconds / 60:0.0} min, commit `{r.Machine.GitCommit}`");
        L($"- Machine: {r.Machine.Cores} cores ({r.Machine.CpuModel}), {r.Machine.Kernel}, {r.Machine.Runtime}");
        L($"- Load average (1/5/15 min): start {r.Machine.LoadAverageStart}, end {r.Machine.LoadAverageEnd}; highest 1-min value at a scenario start {r.Machine.LoadAverageMax:0.00}");
        L($"- Load driver: **{r.Method.Driver}** — {r.Method.DriverWhy}");
        L($"- Pinning: server (jit-admission or baseline) on CPU {r.Method.ServerCpus}; load driver, orchestrator and kube-sandbox (API server, etcd) on CPU {r.Method.ClientCpus}");
        L($"- Warm-up: every body for 2-3 s against each server before the first measurement (JIT tiering). Each scenario: one check request, "
          + $"{r.Method.WarmupSeconds:0.#} s warm-up (discarded), {r.Method.DurationSeconds:0.#} s measured at saturation with {r.Method.Connections} keep-alive TLS connections "
          + $"(`-c{r.Method.Connections}`), {BenchRun.OneConnectionSeconds(r.Method.DurationSeconds):0.#} s with one connection (`-c1`: latency without queueing); the consume path with {r.Method.ConsumeConnections} "
          + "connection (and once with 4, where uses of one Grant contend)"
          + (r.Interleaved.Count > 0 ? $"; throughput target: baseline and jit-admission taking turns at saturation, {r.Interleaved[0].Rounds} rounds of {r.Interleaved[0].SliceSeconds:0.#} s slices each" : "")
          + ")");
        L($"- jit-admission: {r.Method.JitAdmission}");
        L();

        L("## Targets");
        L();
        L("| Target | Measured | Result |");
        L("| --- | --- | --- |");
        foreach (var t in r.Targets) L($"| {t.Target} | {t.Measured} | **{(t.Pass ? "PASS" : "MISS")}** |");
        L();
        foreach (var t in r.Targets.Where(t => t.Detail.Length > 0)) L($"- {Short(t.Target)}: {t.Detail}");
        L();

        if (r.Interleaved.Count > 0)
        {
            L("## Throughput, interleaved");
            L();
            L("The baseline and jit-admission take turns at saturation in short slices (baseline, no-match indexed, no-match unindexed, and again), "
              + "so both see the same machine: on this shared VM the core's speed drifts by tens of percent within seconds. Requests summed per server.");
            L();
            L("| Scenario | Policies | Cached requests | Object | Rounds × slice | Baseline requests | jit-admission requests | Share | Per round |");
            L("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |");
            foreach (var i in r.Interleaved)
                L($"| {i.Kind} | {i.Policies} | {i.CachedRequests} | {BenchRun.SizeLabel(i.ObjectBytes)} | {i.Rounds} × {i.SliceSeconds:0.#} s | {i.BaselineRequests:N0} | {i.JitRequests:N0} | {i.Ratio:P0} | "
                  + string.Join(", ", i.RoundRatios.Select(x => x.ToString("P0", ci))) + " |");
            L();
        }

        if (r.PolicyCost.Count > 0)
        {
            L("## Policy count, interleaved");
            L();
            L("A twin (a second kube-sandbox with the fewest policies, served by its own jit-admission on the same core) and jit-admission with the most "
              + "policies take turns in short slices, in alternating order, one scenario at a time. Server mean: whole request, from the summed histograms "
              + "of all slices; client p50 and p99: the median over the slices of each slice's percentile.");
            L();
            L("| Scenario | Object | Connections | Rounds × slice | Policies | Server mean | Client p50 | Client p99 | Ratio (mean / p50 / p99) | Slice p99s (many; few) |");
            L("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |");
            foreach (var c in r.PolicyCost)
            {
                string Ratio(double many, double few) => few > 0 ? (many / few).ToString("0.00", ci) + "×" : "–";
                L($"| {c.Kind} | {BenchRun.SizeLabel(c.ObjectBytes)} | {c.Connections} | {c.Rounds} × {c.SliceSeconds:0.#} s | {c.Many.Policies} / {c.Few.Policies} | "
                  + $"{Targets.Us(c.Many.ServerMeanUs)} / {Targets.Us(c.Few.ServerMeanUs)} | {Targets.Us(c.Many.ClientP50Us)} / {Targets.Us(c.Few.ClientP50Us)} | "
                  + $"{Targets.Us(c.Many.ClientP99Us)} / {Targets.Us(c.Few.ClientP99Us)} | "
                  + $"{Ratio(c.Many.ServerMeanUs, c.Few.ServerMeanUs)} / {Ratio(c.Many.ClientP50Us, c.Few.ClientP50Us)} / {Ratio(c.Many.ClientP99Us, c.Few.ClientP99Us)} | "
                  + string.Join(", ", c.Many.SliceP99Us.Select(Targets.Us)) + "; " + string.Join(", ", c.Few.SliceP99Us.Select(Targets.Us)) + " |");
            }

            L();
        }

        L("## Load scenarios");
        L();
        L("Client latency from the load driver; server-side from `jitadmission_admission_duration_seconds` (whole request) and decision p99 from "
          + "`jitadmission_admission_decision_seconds` (from the body read on) (scraped before and after; "
          + "percentiles interpolated within buckets, `≤` = bucket upper bound). CPU: server process CPU time per answered request; "
          + "core columns: busy share of the server and client cores; foreign: busy time on the server core not used by the server (other processes). "
          + "`vs baseline`: requests/s over those of the baseline run just before (same size and connections).");
        L();
        L("| Scenario | Policies | Cached requests | Body | req/s | vs baseline | p50 | p99 | p99.9 | Server mean | Server p99 | Decision p99 | CPU/req | Server core | Client core | Foreign | Answers |");
        L("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |");
        foreach (var s in r.Scenarios)
        {
            var ss = s.ServerSide;
            var answers = s.Outcomes.Count == 0 ? (s.Client.Errors > 0 ? $"{s.Client.Errors} errors" : "")
                : string.Join(", ", s.Outcomes.OrderByDescending(o => o.Value).Select(o => $"{o.Key} {o.Value.ToString("0", ci)}"));
            if (s.Client.Errors > 0 && s.Outcomes.Count > 0) answers += $", {s.Client.Errors} client errors";
            L($"| {s.Id} | {s.Policies} | {s.CachedRequests} | {Bytes(s.BodyBytes)} | {s.Client.RequestsPerSecond.ToString("N0", ci)} | "
              + $"{(s.ThroughputVsBaseline is { } v ? v.ToString("P0", ci) : "")} | {Ms(s.Client.LatencyUs.P50)} | {Ms(s.Client.LatencyUs.P99)} | {Ms(s.Client.LatencyUs.P999)} | "
              + $"{(ss is null ? "" : Targets.Us(ss.MeanUs))} | {(ss is null ? "" : $"{Targets.Us(ss.P99Us)} (≤{Targets.Us(ss.P99AtMostUs)})")} | "
              + $"{(s.Decision is { } d ? $"{Targets.Us(d.P99Us)} (≤{Targets.Us(d.P99AtMostUs)})" : "")} | "
              + $"{s.ServerCpuUsPerRequest:0} µs | {s.ServerCoreBusy:P0} | {s.ClientCoreBusy:P0} | {s.ForeignOnServerCore:P0} | {answers} |");
        }

        L();
        L("Scenario ids: `nomatch-indexed` = a Deployment UPDATE in a namespace no policy lists (every policy gates Deployments, so all are candidates "
          + "and each is rejected by its namespace); `nomatch-unindexed` = a ConfigMap UPDATE (no policy names ConfigMaps: the index answers); "
          + "`consume` = a Deployment UPDATE by the requester in team-0000, matched by policy-0000 and its CEL condition, allowed by an approved Grant "
          + "(each use is recorded with an optimistic status write to the API server, by design). Object = new and old object of that size each.");
        L();

        var m = r.Memory;
        L("## Memory");
        L();
        L($"jit-admission resident set (VmRSS from /proc) with {m.Policies.ToString("N0", ci)} policies and {m.CachedRequests.ToString("N0", ci)} ApprovalRequests "
          + $"in its caches (created through the API server as 20 requesters in {m.CreateSeconds:0.0} s; the controller reconciled them all, settled after {m.SettleSeconds:0.0} s):");
        L();
        L("| At start (no policies) | After the load scenarios | Idle, all cached | After load with all cached | Peak (VmHWM) | Baseline server |");
        L("| ---: | ---: | ---: | ---: | ---: | ---: |");
        L($"| {m.RssAtStartMiB:0.0} MiB | {m.RssAfterPolicyLoadMiB:0.0} MiB | {m.RssIdleMiB:0.0} MiB | {m.RssAfterLoadMiB:0.0} MiB | {m.PeakRssMiB:0.0} MiB | {m.BaselineRssMiB:0.0} MiB |");
        L();
        L($"- At start: {m.StartBreakdown}");
        L($"- Idle with everything cached: {m.IdleBreakdown}; managed heap {m.ManagedHeapIdleMiB:0.0} MiB (live objects and uncollected garbage)");
        L($"- After load with everything cached: {m.AfterLoadBreakdown}");
        L();

        var h = r.Held;
        L("## Approval to held-call return");
        L();
        L($"{h.Calls} ConfigMap creates by the requester through the sandbox API server, each held by the webhook; once held, the approver sends the "
          + "documented JSON patch (Approve review). Time from just before that patch to the create returning:");
        L();
        L("| Calls allowed | Failed | p50 | p90 | p99 | max | The approving patch alone (p50 / p99) |");
        L("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        L($"| {h.Allowed} | {h.Failed} | {h.ApproveToReturnMs.P50:0.0} ms | {h.ApproveToReturnMs.P90:0.0} ms | {h.ApproveToReturnMs.P99:0.0} ms | {h.ApproveToReturnMs.Max:0.0} ms | "
          + $"{h.ApprovePatchMs.P50:0.0} / {h.ApprovePatchMs.P99:0.0} ms |");
        foreach (var e in h.Errors.Take(5)) L($"- error: {e}");
        L();

        if (r.Micro.Count > 0)
        {
            L("## Micro-benchmarks (BenchmarkDotNet, in process, short job, pinned to the server core)");
            L();
            L("| Benchmark | Parameters | Mean | ± (99.9% CI) | Allocated |");
            L("| --- | --- | ---: | ---: | ---: |");
            foreach (var b in r.Micro)
                L($"| {b.Benchmark} | {b.Parameters} | {Ns(b.MeanNs)} | {Ns(b.ErrorNs)} | {(b.AllocatedBytes is { } a ? Bytes((long)a) : "")} |");
            L();
        }

        L("## Phases");
        L();
        foreach (var p in r.Phases) L($"- {p.Phase}: {p.Seconds:0.0} s");
        L();
        if (r.Notes.Count > 0)
        {
            L("## Notes");
            L();
            foreach (var n in r.Notes) L("- " + n);
            L();
        }

        return sb.ToString();
    }

    private static string Short(string target) => target.Split(':')[0].Split('(')[0].Trim();

    private static string Ms(double us) => us >= 1000 ? $"{us / 1000:0.00} ms" : $"{us:0} µs";

    private static string Ns(double ns) => ns >= 1_000_000 ? $"{ns / 1_000_000:0.00} ms" : ns >= 1000 ? $"{ns / 1000:0.00} µs" : $"{ns:0} ns";

    private static string Bytes(long bytes) => bytes >= 1024 * 1024 ? $"{bytes / 1024.0 / 1024:0.0} MiB" : bytes >= 1024 ? $"{bytes / 1024.0:0.0} KiB" : $"{bytes} B";
}
