using JitAdmission.Core.Api;
using JitAdmission.Integration.Tests.Infrastructure;
using k8s;
using static JitAdmission.Integration.Tests.EndToEnd.Manifests;

namespace JitAdmission.Integration.Tests.EndToEnd;

/// <summary>
/// A GitOps controller or a pipeline applies as its ServiceAccount (Argo CD's application controller with a client-side
/// apply, Flux's kustomize-controller with a forced server-side apply): the change is held and approvable like anyone's,
/// its retried syncs re-use the one pending request, the commit reaches the approver through the reason annotation,
/// and the sync after the approval goes through (docs/approvals.md, "GitOps and CI").
/// </summary>
[Collection(EndToEndGroup.Name)]
public sealed class GitOpsRequesterTests(JitCluster cluster)
{
    [Theory]
    [InlineData("argocd", "argocd-application-controller", "apply", false)]
    [InlineData("flux-system", "kustomize-controller", "apply --server-side --force-conflicts --field-manager=kustomize-controller", true)]
    // A pipeline's server-side apply over an object someone created with a client-side apply: kubectl follows the change
    // with a second update that only moves field ownership, which changes nothing and is let through (no second request).
    [InlineData("ci", "deployer", "apply --server-side --force-conflicts", false)]
    public async Task A_controllers_sync_is_held_its_retries_reuse_one_request_and_the_sync_after_approval_goes_through(
        string saNamespace, string sa, string apply, bool createdServerSide)
    {
        var ns = await cluster.NamespaceAsync("gitops");
        cluster.Require(await cluster.Sandbox.KubectlAsync(cluster.Sandbox.AdminKubeconfig,
            createdServerSide ? ["apply", "--server-side", "-f", "-"] : ["apply", "-f", "-"], Deployment(ns, 1)));
        await cluster.ApplyAsync(DeploymentPolicy(ns + "-deployments", ns, wait: "0s"));
        var account = $"system:serviceaccount:{saNamespace}:{sa}";
        var kubeconfig = await cluster.Sandbox.ServiceAccountKubeconfigAsync(saNamespace, sa);
        await cluster.Sandbox.BindAsync("edit", account, ns);
        const string Commit = "sync of shop to 1a2b3c4 (PR #42, pipeline run 981)";
        Task<CommandResult> Sync() => cluster.Sandbox.KubectlAsync(kubeconfig, [.. apply.Split(' '), "-f", "-"], Deployment(ns, 3, reason: Commit));
        await JitCluster.WaitUntilGatedAsync(() => cluster.Sandbox.KubectlAsync(kubeconfig, [.. apply.Split(' '), "--dry-run=server", "-f", "-"], Deployment(ns, 3, reason: Commit)));

        // Three syncs (the controller retrying): each refused with the way to approval, one request for all of them.
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var refused = await Sync();
            Assert.False(refused.Succeeded);
            Assert.Contains("needs approval", refused.Stderr, StringComparison.Ordinal);
        }

        var request = Assert.Single(await cluster.RequestsAsync(ns));
        Assert.Equal(account, request.Spec.Requester.Username);
        Assert.Contains($"system:serviceaccounts:{saNamespace}", request.Spec.Requester.Groups);
        Assert.Equal(Commit, request.Spec.Reason);
        var described = await cluster.As("bob", "get", "areq", request.Metadata.Name, "-n", ns, "-o", "jsonpath={.spec.reason}");
        Assert.Equal(Commit, described.Stdout.TrimEnd());

        cluster.Require(await cluster.ReviewAsync("bob", ns, request.Metadata.Name, "bob"));
        await Kubernetes.Tests.Support.Poll.UntilAsync(async () => (await Sync()).Succeeded, TimeSpan.FromSeconds(20), "the next sync goes through");

        Assert.Equal(3, (await cluster.Admin.AppsV1.ReadNamespacedDeploymentAsync("web", ns)).Spec.Replicas);
        var used = await cluster.RequestAsync(ns, request.Metadata.Name);
        Assert.Equal(RequestPhase.Consumed, used.Status?.Phase);
        Assert.Equal(account, Assert.Single(used.Status!.Usage).By);
        Assert.Single(await cluster.RequestsAsync(ns));
    }
}
