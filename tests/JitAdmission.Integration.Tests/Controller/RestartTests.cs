using JitAdmission.Core.Api;
using JitAdmission.Core.Approval;
using JitAdmission.Integration.Tests.Controller.Support;
using JitAdmission.Integration.Tests.Crds;
using JitAdmission.Integration.Tests.Infrastructure;
using JitAdmission.Integration.Tests.KubernetesEdge.Support;
using JitAdmission.Kubernetes.Tests.Support;
using k8s;

namespace JitAdmission.Integration.Tests.Controller;

/// <summary>
/// Nothing pending is lost when jit-admission or the API server restarts: the state lives in the API server. While
/// jit-admission is down its own resources fail closed (the guard webhook stays registered with failurePolicy Fail).
/// </summary>
public sealed class RestartTests(KubeSandbox sandbox) : IClassFixture<KubeSandbox>, IAsyncLifetime
{
    private readonly IKubernetes _admin = sandbox.AdminClient();
    private readonly List<JitAdmissionProcess> _processes = [];
    private string _ns = "";

    public async Task InitializeAsync()
    {
        await CrdInstallation.EnsureAsync(sandbox);
        _ns = await _admin.NewNamespaceAsync("restart");
    }

    public async Task DisposeAsync()
    {
        foreach (var p in _processes) await p.DisposeAsync();
        _admin.Dispose();
    }

    private async Task<JitAdmissionProcess> StartAsync(string operatorNamespace)
    {
        var process = await JitAdmissionProcess.StartAsync(sandbox.AdminKubeconfig, operatorNamespace);
        _processes.Add(process);
        return process;
    }

    private Task<ApprovalRequest> PhaseAsync(string name, RequestPhase phase, TimeSpan timeout) =>
        _admin.WaitForRequestAsync(_ns, name, r => r.Status?.Phase == phase, timeout, $"{name} {phase}");

    [Fact]
    public async Task Deadlines_that_passed_while_jit_admission_was_down_are_applied_as_soon_as_it_is_back()
    {
        var first = await StartAsync("jit-rs-proc");
        await first.WaitUntilRegisteredAsync(_admin);
        await sandbox.ApplyAsync(Manifests.Policy("rs-proc", ttl: "4s"));
        await sandbox.ApplyAsync(Manifests.Request(_ns, "seen", "rs-proc"));
        var seen = await PhaseAsync("seen", RequestPhase.Pending, TimeSpan.FromSeconds(15));
        await first.StopAsync();

        // While nobody serves the webhook, ApprovalRequests cannot be created or changed: the guard fails closed.
        var refused = await sandbox.KubectlAsync(sandbox.AdminKubeconfig, ["apply", "-f", "-"], Manifests.Request(_ns, "unseen", "rs-proc"));
        Assert.False(refused.Succeeded, refused.ToString());
        Assert.Contains("failed calling webhook", refused.Output, StringComparison.Ordinal);
        Assert.Contains(".jitadmission.io", refused.Output, StringComparison.Ordinal);
        await Poll.UntilAsync(() => DateTimeOffset.UtcNow > TimeText.FromApi(seen.Status!.ExpiresAt!.Value) + TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(15));
        Assert.Equal(RequestPhase.Pending, (await _admin.GetRequestAsync(_ns, "seen"))!.Status!.Phase);

        var second = await StartAsync("jit-rs-proc");
        var back = DateTimeOffset.UtcNow;
        var expiredSeen = await PhaseAsync("seen", RequestPhase.Expired, TimeSpan.FromSeconds(5));
        Assert.True(DateTimeOffset.UtcNow - back < TimeSpan.FromSeconds(5));
        Assert.Equal(seen.Status!.ExpiresAt, expiredSeen.Status!.ExpiresAt);
        Assert.Equal(ApprovalAnnouncements.Expired, expiredSeen.Announced());

        await second.WaitUntilRegisteredAsync(_admin);
        await sandbox.ApplyAsync(Manifests.Request(_ns, "fresh", "rs-proc"));
        await PhaseAsync("fresh", RequestPhase.Pending, TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task After_an_API_server_restart_pending_requests_still_expire_and_new_ones_are_reconciled()
    {
        // Started first: an earlier test may have left the webhook registered for a process that is gone.
        var jit = await StartAsync("jit-rs-api");
        await jit.WaitUntilRegisteredAsync(_admin);
        await sandbox.ApplyAsync(Manifests.Policy("rs-api", ttl: "15s"));
        await sandbox.ApplyAsync(Manifests.Request(_ns, "pending", "rs-api"));
        var pending = await PhaseAsync("pending", RequestPhase.Pending, TimeSpan.FromSeconds(15));
        var expiresAt = TimeText.FromApi(pending.Status!.ExpiresAt!.Value);

        await sandbox.RestartApiServerAsync();
        var back = DateTimeOffset.UtcNow;

        await sandbox.ApplyAsync(Manifests.Request(_ns, "after-restart", "rs-api"));
        await PhaseAsync("after-restart", RequestPhase.Pending, TimeSpan.FromSeconds(30));

        var due = (expiresAt > back ? expiresAt : back) + TimeSpan.FromSeconds(15);
        await PhaseAsync("pending", RequestPhase.Expired, due - DateTimeOffset.UtcNow + TimeSpan.FromSeconds(1));
        Assert.True(DateTimeOffset.UtcNow <= due, $"expired only at {DateTimeOffset.UtcNow:O} (deadline {expiresAt:O}, API server back at {back:O})");
    }
}
