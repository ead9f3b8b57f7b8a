using k8s;
using JitAdmission.Integration.Tests.EndToEnd;
using JitAdmission.Kubernetes.Tests.Support;

namespace JitAdmission.Integration.Tests.Faults;

/// <summary>
/// Faults injected while gated traffic runs, on a cluster of its own (the chart, two replicas as its ServiceAccount
/// behind the Service, RBAC enforced): contention for one approval across replicas, the API server or etcd crashing
/// mid-hold, a replica killed while it holds calls. Each scenario runs <see cref="FaultSettings.Rounds"/> times with
/// random timing and ends with the <see cref="Ledger"/> invariants read from the API server. <c>make test</c> runs one
/// round each; <c>make faults</c> more, with a report (docs/reliability.md).
/// </summary>
public sealed partial class FaultScenarioTests(FaultCluster cluster) : IClassFixture<FaultCluster>
{
    private readonly Random _random = new(FaultSettings.Seed);

    private TimeSpan Between(double minSeconds, double maxSeconds) => TimeSpan.FromSeconds(minSeconds + _random.NextDouble() * (maxSeconds - minSeconds));

    [Fact]
    public async Task One_single_use_approval_wanted_by_many_identical_calls_across_replicas_is_used_once()
    {
        var n = FaultSettings.Contenders;
        var tally = new FaultTally("single-use approval, identical calls at once", $"{n} identical PATCHes of one ConfigMap per round, 2 replicas");
        for (var round = 0; round < FaultSettings.Rounds; round++)
        {
            using var calls = new GatedCalls(cluster, await cluster.NamespaceAsync("race"));
            cluster.Require(await cluster.AsAdmin("create", "configmap", "settings", "-n", calls.Namespace, "--from-literal=mode=normal"));
            await calls.PolicyAsync("UPDATE");
            await JitCluster.WaitUntilGatedAsync(() => cluster.As("alice", "patch", "configmap", "settings", "-n", calls.Namespace,
                "--type=merge", "-p", """{"data":{"mode":"maintenance"}}""", "--dry-run=server"));

            // The first try opens the request; once bob approves it, every contender sends exactly that change.
            Assert.Equal(CallOutcome.Denied, await calls.PatchAsync("settings", "maintenance"));
            var request = (await cluster.FirstRequestAsync(calls.Namespace)).Metadata.Name;
            await calls.ApproveAsync(request);
            await calls.WaitApprovedAsync(request);
            var outcomes = await Task.WhenAll(Enumerable.Range(0, n).Select(_ => Task.Run(() => calls.PatchAsync("settings", "maintenance"))));

            foreach (var outcome in outcomes) tally.Count(outcome);
            // One call takes the single use. A call admitted against the state before it is denied (the use is spent); one
            // admitted after it changes nothing (the same data again) and passes as a no-op without a use.
            Assert.Contains(CallOutcome.Allowed, outcomes);
            Assert.Equal(0, outcomes.Count(o => o == CallOutcome.Failed));
            Assert.Equal(1, (await cluster.RequestAsync(calls.Namespace, request)).Status!.Uses);
            Assert.Equal("maintenance", (await JitCluster.ServedAsync(() => cluster.Admin.CoreV1.ReadNamespacedConfigMapAsync("settings", calls.Namespace))).Data["mode"]);
            tally.Uses += await Ledger.CheckAsync(cluster, calls.Namespace, "settings", tally, creates: false);
            tally.Rounds++;
        }

        FaultReport.Write(tally);
    }

    [Fact]
    public async Task A_grant_for_five_uses_admits_exactly_five_of_many_concurrent_creates()
    {
        var n = FaultSettings.Contenders;
        var tally = new FaultTally("Grant maxUses 5, concurrent creates", $"{n} CREATEs of distinct ConfigMaps at once per round, 2 replicas");
        for (var round = 0; round < FaultSettings.Rounds; round++)
        {
            using var calls = await GatedCalls.CreatesGatedAsync(cluster, "grant", scope: "Grant", maxUses: 5);
            await calls.GrantAsync("alice-batch");
            var outcomes = await Task.WhenAll(Enumerable.Range(0, n).Select(i => Task.Run(() => calls.CreateAsync($"cm-{i}"))));

            foreach (var outcome in outcomes) tally.Count(outcome);
            Assert.Equal(5, outcomes.Count(o => o == CallOutcome.Allowed));
            Assert.Equal(0, outcomes.Count(o => o == CallOutcome.Failed));
            Assert.Equal(5, (await cluster.RequestAsync(calls.Namespace, "alice-batch")).Status!.Uses);
            tally.Uses += await Ledger.CheckAsync(cluster, calls.Namespace, "cm-", tally, creates: true);
            tally.Rounds++;
        }

        FaultReport.Write(tally);
    }

    [Fact]
    public async Task One_grant_used_by_sixteen_connections_for_a_while_counts_every_use_once()
    {
        const int Connections = 16;
        var tally = new FaultTally("one Grant, 16 connections, sustained", $"{Connections} connections creating ConfigMaps for {FaultSettings.Seconds} s per round, 2 replicas");
        for (var round = 0; round < FaultSettings.Rounds; round++)
        {
            using var calls = await GatedCalls.CreatesGatedAsync(cluster, "busy", scope: "Grant");
            await calls.GrantAsync("alice-busy");
            var until = DateTime.UtcNow.AddSeconds(FaultSettings.Seconds);
            var perConnection = await Task.WhenAll(Enumerable.Range(0, Connections).Select(c => Task.Run(async () =>
            {
                var outcomes = new List<CallOutcome>();
                for (var i = 0; DateTime.UtcNow < until; i++) outcomes.Add(await calls.CreateAsync($"cm-{c}-{i}"));
                return outcomes;
            })));
            var all = perConnection.SelectMany(o => o).ToList();

            foreach (var outcome in all) tally.Count(outcome);
            Assert.True(all.All(o => o == CallOutcome.Allowed), $"{all.Count(o => o != CallOutcome.Allowed)} of {all.Count} not allowed: {calls.LastFailure}");
            var uses = await Ledger.CheckAsync(cluster, calls.Namespace, "cm-", tally, creates: true);
            Assert.Equal(all.Count, uses);
            tally.Uses += uses;
            tally.Rounds++;
        }

        FaultReport.Write(tally);
    }

    [Fact]
    public async Task The_api_server_or_etcd_crashing_mid_hold_lets_nothing_through_and_a_retry_after_approval_succeeds()
    {
        var tally = new FaultTally("API server / etcd restart mid-hold", "1 held CREATE per round, approved after the restart");
        for (var round = 0; round < FaultSettings.Rounds; round++)
        {
            using var calls = await GatedCalls.CreatesGatedAsync(cluster, "restart", wait: "20s");

            var holding = System.Diagnostics.Stopwatch.StartNew();
            var held = calls.CreateAsync("held");
            var request = (await cluster.FirstRequestAsync(calls.Namespace)).Metadata.Name;
            await Task.Delay(Between(0, 2));
            var parts = new[] { "apiserver", "etcd", "both" }[_random.Next(3)];
            var crash = _random.Next(2) == 0;
            var down = Between(0, 2);
            await cluster.Sandbox.RestartAsync(parts, crash, down);
            tally.Injected.Add($"{parts} {(crash ? "SIGKILL" : "SIGTERM")}");
            await cluster.WaitUntilServingAsync();

            // Approved once the API server is back: the held call, if it survived, goes through; if not, a retry does.
            await calls.ApproveAsync(request);
            var first = await held;
            tally.Count(first);
            AssertAnsweredInTime(holding.Elapsed);
            if (first != CallOutcome.Allowed) await GatedCalls.RetryUntilAllowedAsync(() => calls.CreateAsync("held"), tally, TimeSpan.FromSeconds(60));

            await calls.AssertUsedAfterApprovalAsync("held", request);
            tally.Recovered(await cluster.SettleAsync());
            tally.Uses += await Ledger.CheckAsync(cluster, calls.Namespace, "held", tally, creates: true);
            tally.Rounds++;
        }

        FaultReport.Write(tally);
    }

    [Fact]
    public async Task A_replica_killed_while_holding_calls_fails_them_closed_and_the_survivor_serves_the_retries()
    {
        const int Held = 3;
        var tally = new FaultTally("replica SIGKILL while holding calls", $"{Held} held CREATEs per round across 2 replicas, one replica killed");
        for (var round = 0; round < FaultSettings.Rounds; round++)
        {
            using var calls = await GatedCalls.CreatesGatedAsync(cluster, "kill", wait: "20s");

            var holding = System.Diagnostics.Stopwatch.StartNew();
            var held = Enumerable.Range(0, Held).Select(i => calls.CreateAsync($"held-{i}")).ToList();
            await cluster.FirstRequestAsync(calls.Namespace, Held);
            await Task.Delay(Between(0, 1.5));
            var victim = _random.Next(2);
            await cluster.Charted.KillAsync(victim);
            tally.Injected.Add("replica SIGKILL");

            // Approved while one replica is down: calls held on the survivor go through; the killed one's failed closed.
            var requests = await cluster.RequestsAsync(calls.Namespace);
            foreach (var request in requests) await calls.ApproveAsync(request.Metadata.Name);
            await cluster.Charted.RestartAsync(victim);
            var outcomes = await Task.WhenAll(held);
            foreach (var outcome in outcomes) tally.Count(outcome);
            AssertAnsweredInTime(holding.Elapsed);
            for (var i = 0; i < Held; i++)
            {
                var name = $"held-{i}";
                if (outcomes[i] != CallOutcome.Allowed) await GatedCalls.RetryUntilAllowedAsync(() => calls.CreateAsync(name), tally, TimeSpan.FromSeconds(60));
            }

            foreach (var request in requests) await calls.AssertUsedAfterApprovalAsync(request.Spec.Action.Name!, request.Metadata.Name);

            tally.Recovered(await cluster.SettleAsync());
            tally.Uses += await Ledger.CheckAsync(cluster, calls.Namespace, "held-", tally, creates: true);
            Assert.All(await cluster.RequestsAsync(calls.Namespace), r => Assert.True(r.Status?.Uses <= 1, $"{r.Metadata.Name} used {r.Status?.Uses} times"));
            tally.Rounds++;
        }

        FaultReport.Write(tally);
    }

    /// <summary>
    /// Every call got its answer (or its failure) by the API server's deadline for the webhook: a held call on a live
    /// replica is answered before it, and one on a killed replica fails then at the latest.
    /// </summary>
    private static void AssertAnsweredInTime(TimeSpan took) =>
        Assert.True(took < WebhookTimeout + TimeSpan.FromSeconds(2), $"a held call took {took}, past the webhook's {WebhookTimeout} deadline");
}
