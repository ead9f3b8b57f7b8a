namespace JitAdmission.Integration.Tests.Faults;

/// <summary>
/// Replicas dying at the worst moments: the leader while it reconciles an approval (hand-over after hand-over), and a
/// replica in the middle of recording uses of a busy Grant.
/// </summary>
public sealed partial class FaultScenarioTests
{
    [Fact]
    public async Task Leader_hand_overs_with_approvals_flowing_lose_no_approval_and_use_none_twice()
    {
        var tally = new FaultTally("leader killed during reconciliation, hand-overs in a row", $"{FaultSettings.HandOvers} hand-overs; an approval in flight at each");
        using var calls = await GatedCalls.CreatesGatedAsync(cluster, "leader");
        for (var handOver = 0; handOver < FaultSettings.HandOvers; handOver++)
        {
            var name = $"change-{handOver}";
            Assert.Equal(CallOutcome.Denied, await calls.CreateAsync(name));
            tally.Count(CallOutcome.Denied);
            var request = (await cluster.RequestsAsync(calls.Namespace)).Single(r => r.Spec.Action.Name == name).Metadata.Name;
            var leader = await WaitForLeaderAsync();

            // bob approves; the leader dies a random moment later, while it reconciles the review or just after.
            await calls.ApproveAsync(request);
            await Task.Delay(Between(0, 0.5));
            var crash = _random.Next(2) == 0;
            if (crash) await cluster.Charted.KillAsync(leader);
            else await cluster.Charted.Replicas[leader]!.StopAsync();
            tally.Injected.Add(crash ? "leader SIGKILL" : "leader SIGTERM");
            await cluster.Charted.RestartAsync(leader);

            // A new leader (either replica) finishes the approval; alice's retry goes through once, on any replica.
            await calls.WaitApprovedAsync(request);
            await GatedCalls.RetryUntilAllowedAsync(() => calls.CreateAsync(name), tally, TimeSpan.FromSeconds(60));
            await calls.AssertUsedAfterApprovalAsync(name, request);
            tally.Rounds++;
        }

        tally.Recovered(await cluster.SettleAsync());

        tally.Uses += await Ledger.CheckAsync(cluster, calls.Namespace, "change-", tally, creates: true);
        FaultReport.Write(tally);
    }

    [Fact]
    public Task A_replica_killed_while_recording_uses_of_a_busy_grant_doubles_none_and_admits_nothing_unrecorded() =>
        UsesUnderFaultAsync("replica SIGKILL while writing uses", "one replica killed mid-way", async tally =>
        {
            var victim = _random.Next(2);
            await cluster.Charted.KillAsync(victim);
            tally.Injected.Add("replica SIGKILL");
            await cluster.Charted.RestartAsync(victim);
        });

    [Fact]
    public Task The_api_server_or_etcd_restarting_while_uses_are_recorded_doubles_none_and_admits_nothing_unrecorded() =>
        UsesUnderFaultAsync("API server / etcd restart while writing uses", "the API server, etcd or both restarted mid-way", async tally =>
        {
            var parts = new[] { "apiserver", "etcd", "both" }[_random.Next(3)];
            var crash = _random.Next(2) == 0;
            await cluster.Sandbox.RestartAsync(parts, crash, Between(0, 1));
            tally.Injected.Add($"{parts} {(crash ? "SIGKILL" : "SIGTERM")}");
            await cluster.WaitUntilServingAsync();
        });

    /// <summary>
    /// 8 connections use one Grant for <see cref="FaultSettings.Seconds"/> while <paramref name="inject"/> strikes at a
    /// random moment: calls in flight fail closed; a use written just before the fault may have lost its answer (so
    /// uses may exceed stored changes by the failed calls), never a stored change without a use, never two uses for
    /// one admission.
    /// </summary>
    private async Task UsesUnderFaultAsync(string scenario, string what, Func<FaultTally, Task> inject)
    {
        const int Connections = 8;
        var tally = new FaultTally(scenario, $"{Connections} connections using one Grant for {FaultSettings.Seconds} s per round; {what}");
        for (var round = 0; round < FaultSettings.Rounds; round++)
        {
            using var calls = await GatedCalls.CreatesGatedAsync(cluster, "busyfault", scope: "Grant");
            await calls.GrantAsync("alice-busy");
            var until = DateTime.UtcNow.AddSeconds(FaultSettings.Seconds);
            var load = Enumerable.Range(0, Connections).Select(c => Task.Run(async () =>
            {
                var outcomes = new List<CallOutcome>();
                for (var i = 0; DateTime.UtcNow < until; i++)
                {
                    var outcome = await calls.CreateAsync($"cm-{c}-{i}");
                    outcomes.Add(outcome);
                    // While the API server is down every call fails at once: a client waits a moment before the next.
                    if (outcome == CallOutcome.Failed) await Task.Delay(100);
                }

                return outcomes;
            })).ToList();

            await Task.Delay(TimeSpan.FromSeconds(FaultSettings.Seconds) * (0.2 + 0.5 * _random.NextDouble()));
            await inject(tally);
            var all = (await Task.WhenAll(load)).SelectMany(o => o).ToList();
            foreach (var outcome in all) tally.Count(outcome);

            Assert.DoesNotContain(all, o => o == CallOutcome.Denied);
            var stored = await Ledger.StoredAsync(cluster, calls.Namespace, "cm-");
            var failed = all.Count(o => o == CallOutcome.Failed);
            // A create the API server stored as it crashed may have lost its answer to the client (a failed call).
            Assert.InRange(stored, all.Count(o => o == CallOutcome.Allowed), all.Count(o => o == CallOutcome.Allowed) + failed);
            var uses = await Ledger.CheckAsync(cluster, calls.Namespace, "cm-", tally, creates: false);
            Assert.True(uses >= stored && uses - stored <= failed, $"{stored} stored, {uses} uses recorded, {failed} calls failed");
            if (!tally.Invariants.Contains(Ledger.NoneUnrecorded)) tally.Invariants.Add(Ledger.NoneUnrecorded);
            tally.Recovered(await cluster.SettleAsync());
            tally.Uses += uses;
            tally.Rounds++;
        }

        FaultReport.Write(tally);
    }

    /// <summary>The replica holding the Lease, waiting through a hand-over in progress.</summary>
    private async Task<int> WaitForLeaderAsync()
    {
        int? leader = null;
        await Kubernetes.Tests.Support.Poll.UntilAsync(async () => (leader = await cluster.Charted.LeaderAsync()) is not null
            && cluster.Charted.Replicas[leader.Value] is { HasExited: false }, TimeSpan.FromSeconds(40), "a leader");
        return leader!.Value;
    }
}
