using System.Diagnostics;
using JitAdmission.Core.Api;
using JitAdmission.Integration.Tests.Controller.Support;
using JitAdmission.Integration.Tests.Crds;
using JitAdmission.Integration.Tests.Infrastructure;
using JitAdmission.Integration.Tests.KubernetesEdge.Support;
using JitAdmission.Kubernetes.Tests.Support;
using k8s;

namespace JitAdmission.Integration.Tests.Controller;

/// <summary>
/// Two replicas of the real binary with a short Lease, behind one address (a loopback stand-in for the Service that
/// fronts the pods in a cluster) and sharing one serving certificate, as in a cluster: every replica serves the
/// webhook, only the holder reconciles; on SIGTERM it releases the Lease and the other takes over at once, on
/// SIGKILL the other takes over once the Lease expires; either way it reconciles what was created meanwhile.
/// </summary>
public sealed class LeaderHandoverTests(KubeSandbox sandbox) : IClassFixture<KubeSandbox>, IAsyncLifetime
{
    private static readonly TimeSpan LeaseDuration = TimeSpan.FromSeconds(4);

    private static readonly string[] ShortLease =
    [
        "--LeaderElection:LeaseDuration=00:00:04", "--LeaderElection:RenewDeadline=00:00:03", "--LeaderElection:RetryPeriod=00:00:00.500",
    ];

    private readonly IKubernetes _admin = sandbox.AdminClient();
    private readonly List<JitAdmissionProcess> _processes = [];
    private readonly int[] _replicaPorts = [FreePort.Next(), FreePort.Next()];
    private LoopbackServiceProxy _service = null!;
    private string _ns = "";

    public async Task InitializeAsync()
    {
        await CrdInstallation.EnsureAsync(sandbox);
        _ns = await _admin.NewNamespaceAsync("handover");
        _service = new LoopbackServiceProxy(_replicaPorts);
    }

    public async Task DisposeAsync()
    {
        foreach (var p in _processes) await p.DisposeAsync();
        await _service.DisposeAsync();
        _admin.Dispose();
    }

    private async Task<JitAdmissionProcess> StartAsync(string operatorNamespace, params string[] extra)
    {
        string[] sharedCertificate = ["--tls-cert-file", sandbox.WebhookCertFile, "--tls-key-file", sandbox.WebhookKeyFile, "--tls-ca-file", sandbox.CaFile];
        var process = await JitAdmissionProcess.StartAsync(sandbox.AdminKubeconfig, operatorNamespace, [.. ShortLease, .. sharedCertificate, .. extra],
            port: _replicaPorts[_processes.Count], webhookUrl: _service.Url);
        _processes.Add(process);
        return process;
    }

    /// <summary>Starts the first replica and waits until it holds the Lease, then a second one that follows.</summary>
    private async Task<(JitAdmissionProcess Leader, string LeaderId, JitAdmissionProcess Follower)> TwoReplicasAsync(string operatorNamespace)
    {
        var leader = await StartAsync(operatorNamespace);
        var leaderId = "";
        await Poll.UntilAsync(async () => (leaderId = await _admin.HolderAsync(operatorNamespace)).Length > 0, TimeSpan.FromSeconds(15), "the first replica leads");
        await leader.WaitUntilRegisteredAsync(_admin);
        var follower = await StartAsync(operatorNamespace);
        return (leader, leaderId, follower);
    }

    private static string Tail(string log) => log[Math.Max(0, log.Length - 5000)..];

    private Task<ApprovalRequest> PendingAsync(string name, TimeSpan timeout) =>
        _admin.WaitForRequestAsync(_ns, name, r => r.Status?.Phase == RequestPhase.Pending, timeout, $"{name} reconciled");

    [Fact]
    public async Task On_SIGTERM_the_leader_hands_over_at_once_and_the_new_leader_reconciles()
    {
        // Nobody listens on the notify URL: deliveries are still retrying when the leader stops, and must not hold up the hand-over.
        var deadEnd = $"http://127.0.0.1:{FreePort.Next()}/hook";
        var (leader, leaderId, follower) = await TwoReplicasAsync("jit-ha-term");
        await sandbox.ApplyAsync(Manifests.Policy("ha-term", notifyUrl: deadEnd, notifyEvents: ["Pending"]));
        await sandbox.ApplyAsync(Manifests.Request(_ns, "before", "ha-term"));
        await PendingAsync("before", TimeSpan.FromSeconds(15));
        Assert.Equal(leaderId, await _admin.HolderAsync("jit-ha-term"));

        var stopping = Stopwatch.StartNew();
        var stopped = leader.StopAsync();
        await Poll.UntilAsync(async () => await _admin.HolderAsync("jit-ha-term") is { Length: > 0 } id && id != leaderId,
            TimeSpan.FromSeconds(10), "the follower takes the released Lease");
        Assert.True(stopping.Elapsed < LeaseDuration, $"hand-over took {stopping.Elapsed}, as long as waiting out the Lease:\n{Tail(leader.Output)}");
        await stopped;

        await sandbox.ApplyAsync(Manifests.Request(_ns, "after", "ha-term"));
        await PendingAsync("after", TimeSpan.FromSeconds(10));
        Assert.False(follower.HasExited);
    }

    [Fact]
    public async Task On_SIGKILL_the_follower_takes_over_when_the_lease_expires_and_reconciles_what_came_meanwhile()
    {
        var (leader, leaderId, _) = await TwoReplicasAsync("jit-ha-kill");
        await sandbox.ApplyAsync(Manifests.Policy("ha-kill"));

        await leader.KillAsync();
        var killed = Stopwatch.StartNew();
        await sandbox.ApplyAsync(Manifests.Request(_ns, "orphaned", "ha-kill"));

        // The follower still serves the webhook behind the Service (the request above passed its guard), but the dead
        // leader's Lease has not expired yet: nobody reconciles (and the follower does not jump the gun).
        await Poll.UntilAsync(() => killed.Elapsed > TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(5));
        Assert.Null((await _admin.GetRequestAsync(_ns, "orphaned"))!.Status);
        Assert.Equal(leaderId, await _admin.HolderAsync("jit-ha-kill"));

        await PendingAsync("orphaned", LeaseDuration + TimeSpan.FromSeconds(8));
        Assert.True(killed.Elapsed >= LeaseDuration - TimeSpan.FromSeconds(1), $"taken over after {killed.Elapsed}, before the Lease expired");
        Assert.NotEqual(leaderId, await _admin.HolderAsync("jit-ha-kill"));
    }

    [Fact]
    public async Task Without_leader_election_a_single_replica_reconciles_and_takes_no_lease()
    {
        var sole = await StartAsync("jit-ha-sole", "--leader-elect", "false");
        await sole.WaitUntilRegisteredAsync(_admin);
        await sandbox.ApplyAsync(Manifests.Policy("ha-sole"));

        await sandbox.ApplyAsync(Manifests.Request(_ns, "sole", "ha-sole"));
        await PendingAsync("sole", TimeSpan.FromSeconds(15));
        Assert.Equal("", await _admin.HolderAsync("jit-ha-sole"));
    }
}
