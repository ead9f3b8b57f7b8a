using JitAdmission.Core.Api;
using JitAdmission.Integration.Tests.Controller.Support;
using JitAdmission.Integration.Tests.Crds;
using JitAdmission.Integration.Tests.Infrastructure;
using JitAdmission.Integration.Tests.KubernetesEdge.Support;
using JitAdmission.Kubernetes.Tests.Support;
using k8s;

namespace JitAdmission.Integration.Tests.Controller;

/// <summary>
/// A policy that never passed the guard — created before jit-admission was installed (e.g. synced by GitOps) —
/// is reported Ready=False with its error and a Warning Event, Ready=True once fixed, and counts its requests.
/// </summary>
public sealed class PolicyReadinessTests(KubeSandbox sandbox) : IClassFixture<KubeSandbox>, IAsyncLifetime
{
    private readonly IKubernetes _admin = sandbox.AdminClient();
    private JitAdmissionProcess? _jit;

    public async Task InitializeAsync() => await CrdInstallation.EnsureAsync(sandbox);

    public async Task DisposeAsync()
    {
        if (_jit is not null) await _jit.DisposeAsync();
        _admin.Dispose();
    }

    [Fact]
    public async Task A_policy_with_a_cel_error_is_not_ready_until_fixed_and_counts_its_requests()
    {
        var ns = await _admin.NewNamespaceAsync("policy");
        await sandbox.ApplyAsync(Manifests.Policy("proc-cel", condition: "object.spec.replicas >"));
        _jit = await JitAdmissionProcess.StartAsync(sandbox.AdminKubeconfig, "jit-readiness");

        var broken = await _admin.WaitForPolicyAsync("proc-cel", p => p.Condition("Ready")?.Status == "False");
        var ready = broken.Condition("Ready")!;
        Assert.Equal("InvalidSpec", ready.Reason);
        Assert.Contains("spec.conditions[0].expression", ready.Message, StringComparison.Ordinal);
        Assert.Equal(broken.Metadata.Generation, broken.Status!.ObservedGeneration);
        var column = await sandbox.AdminKubectlAsync("get", "apol", "proc-cel", "--no-headers");
        Assert.Contains(" False ", column.Stdout, StringComparison.Ordinal);
        await Poll.UntilAsync(async () => (await _admin.EventReasonsAsync("default", "proc-cel")).Contains("InvalidPolicy"), because: "Warning Event InvalidPolicy");

        // Now the guard runs: the broken spec is refused at apply time, the fixed one accepted.
        var refused = await sandbox.KubectlAsync(sandbox.AdminKubeconfig, ["apply", "-f", "-"], Manifests.Policy("proc-cel", condition: "object.spec.replicas >>"));
        Assert.False(refused.Succeeded, refused.ToString());
        Assert.Contains("spec.conditions[0].expression", refused.Output, StringComparison.Ordinal);
        await sandbox.ApplyAsync(Manifests.Policy("proc-cel", condition: "object.spec.replicas > 3"));
        var fixedPolicy = await _admin.WaitForPolicyAsync("proc-cel", p => p.Condition("Ready")?.Status == "True");
        Assert.Equal(fixedPolicy.Metadata.Generation, fixedPolicy.Status!.ObservedGeneration);

        await sandbox.ApplyAsync(Manifests.Request(ns, "counted", "proc-cel"));
        await _admin.WaitForPolicyAsync("proc-cel", p => p.Status is { PendingRequests: 1, ApprovedRequests: 0 });
        var bob = await sandbox.UserKubeconfigAsync("bob", "sre");
        await sandbox.InstallUserRolesAsync();
        await sandbox.BindAsync("jit-admission-approver", "bob");
        var review = await sandbox.KubectlAsync(bob, ["patch", "areq", "counted", "-n", ns, "--type=json", "-p", Manifests.PlainReview("bob", "Approve")]);
        Assert.True(review.Succeeded, review.ToString());
        await _admin.WaitForPolicyAsync("proc-cel", p => p.Status is { PendingRequests: 0, ApprovedRequests: 1 });
    }
}
