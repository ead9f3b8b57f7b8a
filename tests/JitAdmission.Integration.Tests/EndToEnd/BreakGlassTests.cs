using JitAdmission.Core.Api;
using k8s;
using static JitAdmission.Integration.Tests.EndToEnd.Manifests;

namespace JitAdmission.Integration.Tests.EndToEnd;

/// <summary>Break-glass through kubectl: a listed subject goes ahead at once with a reason, and it is recorded.</summary>
[Collection(EndToEndGroup.Name)]
public sealed class BreakGlassTests(JitCluster cluster)
{
    [Fact]
    public async Task A_break_glass_subject_goes_ahead_and_the_change_is_recorded_for_review()
    {
        var ns = await cluster.NamespaceAsync("glass");
        await cluster.ApplyAsync(Deployment(ns, 1));
        await cluster.ApplyAsync(DeploymentPolicy(ns + "-deployments", ns, wait: "0s", extra: "  breakGlass:\n    groups: [sre]"));
        await JitCluster.WaitUntilGatedAsync(() => cluster.Piped("alice", Deployment(ns, 2), "apply", "--dry-run=server", "-f", "-"));

        // bob (sre, on call) may change this namespace's workloads in an incident.
        await cluster.Sandbox.BindAsync("edit", "bob", ns);
        var alice = await cluster.Piped("alice", Deployment(ns, 2, breakGlass: "INC-42 checkout is down"), "apply", "-f", "-");
        var bob = await cluster.Piped("bob", Deployment(ns, 6, breakGlass: "INC-42 checkout is down"), "apply", "-f", "-");

        Assert.False(alice.Succeeded);
        Assert.Contains("annotation is ignored: alice is not a break-glass subject", alice.Stderr, StringComparison.Ordinal);
        cluster.Require(bob);
        Assert.Contains("Warning: break-glass: allowed without approval", bob.Stderr, StringComparison.Ordinal);
        Assert.Equal(6, (await cluster.Admin.AppsV1.ReadNamespacedDeploymentAsync("web", ns)).Spec.Replicas);
        var record = Assert.Single(await cluster.RequestsAsync(ns), r => r.Spec.BreakGlass);
        Assert.Equal("bob", record.Spec.Requester.Username);
        Assert.Equal("INC-42 checkout is down", record.Spec.Reason);
        Assert.StartsWith("breakglass-deployments-web-", record.Metadata.Name, StringComparison.Ordinal);
    }
}
