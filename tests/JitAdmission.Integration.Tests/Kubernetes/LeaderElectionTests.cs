using System.Diagnostics;
using JitAdmission.Integration.Tests.Infrastructure;
using JitAdmission.Integration.Tests.KubernetesEdge.Support;
using JitAdmission.Kubernetes.Leadership;
using JitAdmission.Kubernetes.Tests.Support;
using k8s;
using Microsoft.Extensions.Logging.Abstractions;

namespace JitAdmission.Integration.Tests.KubernetesEdge;

public sealed class LeaderElectionTests(KubeSandbox sandbox) : IClassFixture<KubeSandbox>
{
    private static LeaderElection Election(IKubernetes client, LeaderElectionOptions options) =>
        new(client, Microsoft.Extensions.Options.Options.Create(options), TimeProvider.System, NullLogger<LeaderElection>.Instance);

    [Fact]
    public async Task One_of_two_candidates_leads_and_a_graceful_stop_hands_over_well_within_a_lease_duration()
    {
        using var admin = sandbox.AdminClient();
        var ns = await admin.NewNamespaceAsync("lease");
        LeaderElectionOptions Options(string id) => new()
        {
            Namespace = ns,
            LeaseName = "jit-admission",
            Identity = id,
            LeaseDuration = TimeSpan.FromSeconds(10),
            RenewDeadline = TimeSpan.FromSeconds(6),
            RetryPeriod = TimeSpan.FromMilliseconds(400),
        };
        using var a = Election(sandbox.AdminClient(), Options("replica-a"));
        using var b = Election(sandbox.AdminClient(), Options("replica-b"));
        var started = new List<(string Who, CancellationToken Token)>();
        var stopped = new List<string>();
        foreach (var e in new[] { a, b })
        {
            e.StartedLeading += (_, args) => { lock (started) started.Add((e.Identity, args.Token)); };
            e.StoppedLeading += (_, _) => { lock (stopped) stopped.Add(e.Identity); };
        }

        var clock = Stopwatch.StartNew();
        var work = new List<(string Who, string What, TimeSpan At)>();
        Func<CancellationToken, Task> Work(LeaderElection e) => async term =>
        {
            lock (work) work.Add((e.Identity, "start", clock.Elapsed));
            try
            {
                await Task.Delay(Timeout.Infinite, term);
            }
            finally
            {
                await Task.Delay(200, CancellationToken.None); // a reconcile finishing its write
                lock (work) work.Add((e.Identity, "end", clock.Elapsed));
            }
        };
        var runA = Running.Start(ct => a.RunAsync(Work(a), ct));
        var runB = Running.Start(ct => b.RunAsync(Work(b), ct));
        await Poll.UntilAsync(() => a.IsLeader || b.IsLeader);
        var (leader, follower, leaderRun, followerRun) = a.IsLeader ? (a, b, runA, runB) : (b, a, runB, runA);

        Assert.False(follower.IsLeader);
        var lease = await admin.CoordinationV1.ReadNamespacedLeaseAsync("jit-admission", ns);
        Assert.Equal(leader.Identity, lease.Spec.HolderIdentity);
        Assert.Equal(10, lease.Spec.LeaseDurationSeconds);
        await Poll.UntilAsync(() => follower.CurrentLeader == leader.Identity, because: "the follower observes who leads");
        var term = leader.LeadershipToken;
        Assert.False(term.IsCancellationRequested);

        var stopAt = clock.Elapsed;
        await leaderRun.StopAsync();
        Assert.True(term.IsCancellationRequested, "stopping ends the leader's term");
        Assert.False(leader.IsLeader);
        await Poll.UntilAsync(() => follower.IsLeader, TimeSpan.FromSeconds(10));
        var handOver = clock.Elapsed - stopAt;

        Assert.True(handOver < TimeSpan.FromSeconds(4), $"hand-over took {handOver}, expected about one retry period, not a lease duration");
        lease = await admin.CoordinationV1.ReadNamespacedLeaseAsync("jit-admission", ns);
        Assert.Equal(follower.Identity, lease.Spec.HolderIdentity);
        Assert.True(lease.Spec.LeaseTransitions >= 1);
        lock (stopped) Assert.Equal([leader.Identity], stopped);
        lock (started) Assert.Equal([leader.Identity, follower.Identity], started.Select(s => s.Who));
        await Poll.UntilAsync(() => { lock (work) return work.Count == 3; });
        lock (work)
        {
            // The old leader's work had finished before the new leader's began: no overlap.
            Assert.Equal([(leader.Identity, "start"), (leader.Identity, "end"), (follower.Identity, "start")], work.Select(w => (w.Who, w.What)));
            Assert.True(work[1].At <= work[2].At);
        }

        await followerRun.DisposeAsync();
        await leaderRun.DisposeAsync();
        lease = await admin.CoordinationV1.ReadNamespacedLeaseAsync("jit-admission", ns);
        Assert.Equal("", lease.Spec.HolderIdentity); // the last one out released it too
    }

    [Fact]
    public void Inconsistent_durations_are_refused()
    {
        using var client = sandbox.AdminClient();
        Assert.Throws<ArgumentException>(() => Election(client, new LeaderElectionOptions { Namespace = "x", LeaseDuration = TimeSpan.FromSeconds(5), RenewDeadline = TimeSpan.FromSeconds(10) }));
        Assert.Throws<ArgumentException>(() => Election(client, new LeaderElectionOptions { Namespace = "" }));
    }

    [Fact]
    public void Default_identities_are_unique_per_instance()
    {
        Assert.NotEqual(LeaderElection.DefaultIdentity(), LeaderElection.DefaultIdentity());
        Assert.StartsWith(Environment.GetEnvironmentVariable("POD_NAME") ?? Environment.GetEnvironmentVariable("HOSTNAME") ?? Environment.MachineName, LeaderElection.DefaultIdentity());
    }
}
