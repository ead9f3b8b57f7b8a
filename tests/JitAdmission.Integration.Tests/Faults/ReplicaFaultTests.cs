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
    public async Task A_replica_killed_while_recording_uses_of_a_busy_grant_doubles_none_and_admits_nothing_unrecorded()
    {
        const int Connections = 8;
        var tally = new FaultTally("replica SIGKILL while writing uses", $"{Connections} connections using one Grant for {FaultSettings.Seconds} s per round; one replica killed mid-way");
        for (var round = 0; round < FaultSettings.Rounds; round++)
        {
            using var calls = await GatedCalls.CreatesGatedAsync(cluster, "busykill", scope: "Grant");
            await calls.GrantAsync("alice-busy");
            var until = DateTime.UtcNow.AddSeconds(FaultSettings.Seconds);
            var load = Enumerable.Range(0, Connections).Select(c => Task.Run(async () =>
            {
                var outcomes = new List<CallOutcome>();
                for (var i = 0; DateTime.UtcNow < until; i++) outcomes.Add(await calls.CreateAsync($"cm-{c}-{i}"));
                return outcomes;
            })).ToList();

            await Task.Delay(TimeSpan.FromSeconds(FaultSettings.Seconds) * (0.2 + 0.5 * _random.NextDouble()));
            var victim = _random.Next(2);
            await cluster.Charted.KillAsync(victim);
            tally.Injected.Add("replica SIGKILL");
            await cluster.Charted.RestartAsync(victim);
            var all = (await Task.WhenAll(load)).SelectMany(o => o).ToList();
            foreach (var outcome in all) tally.Count(outcome);

            // Calls on the killed replica failed closed; a use it wrote just before dying may have no stored change
            // (its answer was lost), never the reverse, and never two uses for one admission.
            Assert.DoesNotContain(all, o => o == CallOutcome.Denied);
            var stored = await Ledger.StoredAsync(cluster, calls.Namespace, "cm-");
            Assert.Equal(all.Count(o => o == CallOutcome.Allowed), stored);
            var failed = all.Count(o => o == CallOutcome.Failed);
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
