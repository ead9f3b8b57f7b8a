using System.Diagnostics;
using System.Globalization;

namespace JitAdmission.Integration.Tests.Faults;

/// <summary>
/// Resource pressure: many pending requests from many requesters, a burst of new ones on top, and one requester making
/// requests in a loop, with the replicas' memory and the burst's latency recorded.
/// </summary>
public sealed partial class FaultScenarioTests
{
    /// <summary>The chart value the fault cluster runs with (JitCluster): pending requests one requester may have.</summary>
    private const int PendingCap = 500;

    [Fact]
    public async Task Many_pending_requests_and_a_burst_stay_answered_and_one_requester_in_a_loop_meets_the_cap_alone()
    {
        var pending = FaultSettings.Pending;
        var burst = Math.Max(10, pending / 10);
        var tally = new FaultTally("resource pressure", $"{pending:N0} pending requests from {Requesters(pending)} requesters, then a burst of {burst:N0}; one requester in a loop");
        var calls = await GatedCalls.CreatesGatedAsync(cluster, "pressure");
        await cluster.Sandbox.BindAsync("edit", "devs", calls.Namespace, group: true);
        calls.Dispose();

        // Fill: each requester's gated creates (no wait) leave one pending request each, up to the cap.
        var fill = Stopwatch.StartNew();
        var filled = await RunAsRequestersAsync(calls.Namespace, "fill", pending, concurrency: 16, tally);
        Assert.All(filled, o => Assert.Equal(CallOutcome.Denied, o.Outcome));
        var fillRate = pending / fill.Elapsed.TotalSeconds;

        // Burst: new requesters at once; every call answered (a request made for each), none failed.
        var burstCalls = await RunAsRequestersAsync(calls.Namespace, "burst", burst, concurrency: 64, tally);
        Assert.All(burstCalls, o => Assert.Equal(CallOutcome.Denied, o.Outcome));
        var latencies = burstCalls.Select(o => o.Took.TotalMilliseconds).Order().ToList();
        Assert.Equal(pending + burst, (await cluster.RequestsAsync(calls.Namespace)).Count);

        // One requester in a loop: her cap holds (no request past it), while a bystander's calls go on as usual.
        var flooder = await RequesterAsync(calls.Namespace, "flooder");
        var bystander = await RequesterAsync(calls.Namespace, "bystander");
        var flood = Task.Run(async () =>
        {
            var outcomes = new List<(CallOutcome Outcome, string Message)>();
            for (var i = 0; i < PendingCap + 20; i++) outcomes.Add(await flooder.CreateExplainedAsync($"flood-{i}"));
            return outcomes;
        });
        var bystanderCalls = new List<(CallOutcome Outcome, string Message)>();
        while (!flood.IsCompleted)
        {
            bystanderCalls.Add(await bystander.CreateExplainedAsync($"by-{bystanderCalls.Count}"));
            await Task.Delay(50);
        }

        var flooded = await flood;
        foreach (var (outcome, _) in flooded.Concat(bystanderCalls)) tally.Count(outcome);

        Assert.All(flooded, o => Assert.Equal(CallOutcome.Denied, o.Outcome));
        Assert.All(bystanderCalls, o => Assert.DoesNotContain("pending approval requests", o.Message, StringComparison.Ordinal));
        // Each replica counts from its own cache: a call on one replica may race the other's last create by the
        // watch's delay, so the cap holds to within one request per other replica.
        var byFlooder = (await cluster.RequestsAsync(calls.Namespace)).Count(r => r.Spec.Requester.Username == "flooder");
        Assert.InRange(byFlooder, PendingCap, PendingCap + cluster.Charted.Replicas.Count - 1);
        Assert.Equal(flooded.Count - byFlooder, flooded.Count(o => o.Message.Contains("pending approval requests", StringComparison.Ordinal)));
        flooder.Dispose();
        bystander.Dispose();

        var rss = cluster.Charted.Replicas.Where(r => r is not null).Select(r => r!.ResidentBytes / (1024.0 * 1024)).ToList();
        tally.Injected.Add($"{pending:N0} pending + a burst of {burst:N0}; one requester's loop of {flooded.Count}");
        tally.Note = string.Create(CultureInfo.InvariantCulture,
            $"fill {fillRate:0} calls/s; burst p50 {Percentile(latencies, 0.5):0} ms, p99 {Percentile(latencies, 0.99):0} ms; RSS {string.Join(" / ", rss.Select(m => $"{m:0} MiB"))}");
        foreach (var invariant in new[] { "every call answered, none failed", $"pending per requester ≤ {PendingCap}", "others unaffected by one requester's loop" })
            tally.Invariants.Add(invariant);
        tally.Rounds++;
        FaultReport.Write(tally);
    }

    private static int Requesters(int calls) => (calls + PendingCap - 1) / PendingCap;

    /// <summary>
    /// <paramref name="count"/> gated creates spread over as many requesters (group devs) as the cap needs, at most
    /// <paramref name="concurrency"/> at a time, each timed.
    /// </summary>
    private async Task<List<(CallOutcome Outcome, TimeSpan Took)>> RunAsRequestersAsync(string @namespace, string prefix, int count, int concurrency, FaultTally tally)
    {
        var requesters = new List<GatedCalls>();
        for (var r = 0; r < Requesters(count); r++) requesters.Add(await RequesterAsync(@namespace, $"{prefix}-{r}"));
        var results = new (CallOutcome Outcome, TimeSpan Took)[count];
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            for (var i = Interlocked.Increment(ref next); i < count; i = Interlocked.Increment(ref next))
            {
                var watch = Stopwatch.StartNew();
                var outcome = await requesters[i / PendingCap].CreateAsync($"{prefix}-{i}");
                results[i] = (outcome, watch.Elapsed);
            }
        })));
        foreach (var requester in requesters) requester.Dispose();
        foreach (var (outcome, _) in results) tally.Count(outcome);
        return [.. results];
    }

    private async Task<GatedCalls> RequesterAsync(string @namespace, string user) =>
        new(cluster, @namespace, await cluster.Sandbox.UserKubeconfigAsync(user, "devs"));

    private static double Percentile(List<double> sorted, double p) => sorted.Count == 0 ? 0 : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];
}
