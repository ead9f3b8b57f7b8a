using System.Diagnostics;
using JitAdmission.Integration.Tests.Infrastructure.Proxy;

namespace JitAdmission.Integration.Tests.Faults;

/// <summary>
/// Faults on the replicas' own path to the API server, injected by <see cref="FaultyApiProxy"/> while alice's gated calls
/// run: latency, 5xx bursts, connection resets, and watches that end in 410 Gone or stall silently.
/// </summary>
public sealed partial class FaultScenarioTests
{
    /// <summary>The gate webhook's timeoutSeconds in the chart: the API server gives up on a call after this.</summary>
    private static readonly TimeSpan WebhookTimeout = TimeSpan.FromSeconds(30);

    private FaultyApiProxy Proxy => cluster.ApiProxy ?? throw new InvalidOperationException("the fault cluster has no proxy");

    [Fact]
    public async Task A_slow_failing_or_resetting_api_path_fails_calls_closed_with_a_reason_and_recovers_when_it_ends()
    {
        const int Connections = 4;
        var tally = new FaultTally("slow, failing or resetting API path", $"{Connections} connections using one Grant while the fault lasts (2–4 s), 2 replicas");
        var slowest = TimeSpan.Zero;
        for (var round = 0; round < FaultSettings.Rounds; round++)
        {
            using var calls = await GatedCalls.CreatesGatedAsync(cluster, "slow", scope: "Grant");
            await calls.GrantAsync("alice-slow");
            var duration = Between(2, 4);
            var fault = new[] { "latency", "503 burst", "resets" }[(round + FaultSettings.Seed) % 3];
            switch (fault)
            {
                case "latency": Proxy.SetLatency(TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(2)); break;
                case "503 burst": Proxy.FailFor(duration); break;
                default: Proxy.ResetFor(duration); break;
            }

            tally.Injected.Add(fault);
            var until = DateTime.UtcNow + duration;
            var perConnection = await Task.WhenAll(Enumerable.Range(0, Connections).Select(c => Task.Run(async () =>
            {
                var outcomes = new List<(CallOutcome Outcome, TimeSpan Took)>();
                for (var i = 0; DateTime.UtcNow < until; i++)
                {
                    var watch = Stopwatch.StartNew();
                    var outcome = await calls.CreateAsync($"cm-{c}-{i}");
                    outcomes.Add((outcome, watch.Elapsed));
                    // A client retrying a failed call waits a moment (kubectl does not retry at all).
                    if (outcome != CallOutcome.Allowed) await Task.Delay(100);
                }

                return outcomes;
            })));
            Proxy.ClearLatency();

            var all = perConnection.SelectMany(o => o).ToList();
            foreach (var (outcome, _) in all) tally.Count(outcome);
            slowest = all.Select(o => o.Took).Append(slowest).Max();
            // Answered within the webhook's deadline, allowed or failed closed: never a denial of an approved change.
            Assert.All(all, o => Assert.True(o.Took < WebhookTimeout, $"a call took {o.Took} under {fault}"));
            Assert.DoesNotContain(all, o => o.Outcome == CallOutcome.Denied);
            if (fault != "latency") Assert.Contains(all, o => o.Outcome == CallOutcome.Failed);
            if (all.Any(o => o.Outcome == CallOutcome.Failed))
                Assert.Contains("could not decide", calls.LastFailure, StringComparison.Ordinal);

            // The fault is over: the next call goes through, and every replica catches up.
            await GatedCalls.RetryUntilAllowedAsync(() => calls.CreateAsync($"after-{round}"), tally, TimeSpan.FromSeconds(30));
            tally.Recovered(await cluster.SettleAsync());
            tally.Uses += await Ledger.CheckAsync(cluster, calls.Namespace, "", tally, creates: true);
            tally.Rounds++;
        }

        tally.Note = $"slowest call {slowest.TotalSeconds:0.0} s";
        FaultReport.Write(tally);
    }

    [Fact]
    public async Task Watches_ending_in_410_Gone_or_stalling_silently_neither_lose_an_approval_nor_a_new_policy()
    {
        var tally = new FaultTally("watch 410 Gone / silent stall", "1 held CREATE per round; bob approves after the fault; a new policy after it");
        var slowestApproval = TimeSpan.Zero;
        for (var round = 0; round < FaultSettings.Rounds; round++)
        {
            using var calls = await GatedCalls.CreatesGatedAsync(cluster, "watch", wait: "25s");
            var held = calls.CreateAsync("held");
            var request = (await cluster.FirstRequestAsync(calls.Namespace)).Metadata.Name;
            await Task.Delay(Between(0, 1));

            var stall = (round + FaultSettings.Seed) % 2 == 1;
            var faulted = DateTime.UtcNow;
            var hit = stall ? Proxy.StallOpenWatches() : Proxy.ExpireOpenWatches();
            Assert.True(hit > 0, "no watch was open to fault");
            tally.Injected.Add(stall ? "watches stalled" : "watches ended 410");

            // The approval must reach the held call on whichever replica holds it: by the re-list after 410, and past
            // a stalled watch by the gate's own check of the held request.
            var approved = Stopwatch.StartNew();
            await calls.ApproveAsync(request);
            var outcome = await held;
            tally.Count(outcome);
            Assert.Equal(CallOutcome.Allowed, outcome);
            slowestApproval = approved.Elapsed > slowestApproval ? approved.Elapsed : slowestApproval;
            Assert.True(approved.Elapsed < TimeSpan.FromSeconds(GateHeldRecheckSeconds + 5), $"the approval took {approved.Elapsed} to reach the held call");

            // A policy and a Grant made after the fault reach every replica's caches: at once after a 410 (re-list),
            // and after a stall once the stalled watch is replaced (at most twice the watch timeout plus its grace).
            var settled = await cluster.SettleAsync();
            tally.Recovered(settled);
            // The bound, plus the approval above and the settle's own writes and probes.
            var bound = FaultCluster.WatchTimeout * 2 + FaultCluster.WatchGrace + TimeSpan.FromSeconds(20);
            Assert.True(DateTime.UtcNow - faulted < bound, $"the replicas caught up {DateTime.UtcNow - faulted} after the fault");

            await calls.AssertUsedAfterApprovalAsync("held", request);
            tally.Uses += await Ledger.CheckAsync(cluster, calls.Namespace, "held", tally, creates: true);
            tally.Rounds++;
        }

        tally.Note = $"slowest approval to allowed {slowestApproval.TotalSeconds:0.0} s";
        FaultReport.Write(tally);
    }

    /// <summary>JitAdmission.Core.Gate.GateMachine.HeldRecheck, in seconds.</summary>
    private static int GateHeldRecheckSeconds => (int)Core.Gate.GateMachine.HeldRecheck.TotalSeconds;
}
