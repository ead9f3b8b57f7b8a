using System.Diagnostics;
using k8s;
using JitAdmission.Core.Api;
using static JitAdmission.Integration.Tests.EndToEnd.Manifests;

namespace JitAdmission.Integration.Tests.EndToEnd;

/// <summary>Gated changes through real kubectl as alice, approved by bob, against the real jit-admission binary.</summary>
[Collection(EndToEndGroup.Name)]
public sealed class GateTests(JitCluster cluster)
{
    private const string Denied = "admission webhook \"gate.jitadmission.io\" denied the request";

    private async Task<string> GatedNamespaceAsync(string prefix, string wait)
    {
        var ns = await cluster.NamespaceAsync(prefix);
        await cluster.ApplyAsync(Deployment(ns, 1));
        await cluster.ApplyAsync(DeploymentPolicy(ns + "-deployments", ns, wait));
        await JitCluster.WaitUntilGatedAsync(() => cluster.Piped("alice", Deployment(ns, 2), "apply", "--dry-run=server", "-f", "-"));
        return ns;
    }

    private async Task<int> ReplicasAsync(string ns) =>
        (await cluster.Admin.AppsV1.ReadNamespacedDeploymentAsync("web", ns)).Spec.Replicas ?? 0;

    [Fact]
    public async Task A_held_apply_goes_through_as_soon_as_bob_approves()
    {
        var ns = await GatedNamespaceAsync("hold", wait: "20s");
        var clock = Stopwatch.StartNew();

        var apply = cluster.Piped("alice", Deployment(ns, 3, reason: "more capacity for the launch"), "apply", "-f", "-");
        var request = await cluster.FirstRequestAsync(ns);
        Assert.False(apply.IsCompleted, "alice's kubectl apply is held while the request is pending");
        cluster.Require(await cluster.ReviewAsync("bob", ns, request.Metadata.Name, "bob"));
        var result = await apply;

        cluster.Require(result);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(18), $"allowed when approved, not at the end of the hold ({clock.Elapsed})");
        Assert.Equal(3, await ReplicasAsync(ns));
        var used = await cluster.RequestAsync(ns, request.Metadata.Name);
        Assert.Equal(RequestPhase.Consumed, used.Status?.Phase);
        Assert.Equal(1, used.Status?.Uses);
        Assert.Equal("alice", Assert.Single(used.Status!.Usage).By);
        Assert.Equal("more capacity for the launch", used.Spec.Reason);
    }

    [Fact]
    public async Task A_request_is_a_record_no_one_but_jit_admission_deletes_and_the_namespace_controller_ending_it_ends_the_hold()
    {
        var ns = await GatedNamespaceAsync("gone", wait: "20s");

        var apply = cluster.Piped("alice", Deployment(ns, 3), "apply", "-f", "-");
        var request = await cluster.FirstRequestAsync(ns);
        var byAdmin = await cluster.As("root", "delete", "areq", request.Metadata.Name, "-n", ns);
        var byApprover = await cluster.As("bob", "delete", "areq", request.Metadata.Name, "-n", ns);
        Assert.False(apply.IsCompleted, "still held: nothing happened to the request");
        // The namespace controller deletes what a terminating namespace holds (the sandbox has none: it is played here).
        var controller = await cluster.Sandbox.UserKubeconfigAsync("system:serviceaccount:kube-system:namespace-controller", "system:serviceaccounts");
        await cluster.Sandbox.BindAsync("cluster-admin", "system:serviceaccount:kube-system:namespace-controller");
        cluster.Require(await cluster.Sandbox.KubectlAsync(controller, ["delete", "areq", request.Metadata.Name, "-n", ns]));
        var result = await apply;

        Assert.False(byAdmin.Succeeded);
        Assert.Contains("ApprovalRequests are records and cannot be deleted by \"root\"", byAdmin.Stderr, StringComparison.Ordinal);
        Assert.False(byApprover.Succeeded);
        Assert.False(result.Succeeded);
        Assert.Contains($"ApprovalRequest {request.Metadata.Name} in namespace {ns} was deleted while the call waited for it", result.Stderr, StringComparison.Ordinal);
        Assert.Equal(1, await ReplicasAsync(ns));
    }

    [Fact]
    public async Task A_refused_write_carries_the_denial_kind_and_request_in_the_status_the_api_server_returns()
    {
        var ns = await GatedNamespaceAsync("details", wait: "0s");
        using var alice = Infrastructure.KubeSandbox.ClientFor(cluster.KubeconfigOf("alice"));
        var deployment = await alice.AppsV1.ReadNamespacedDeploymentAsync("web", ns);
        deployment.Spec.Replicas = 4;

        var refused = await Assert.ThrowsAsync<k8s.Autorest.HttpOperationException>(() => alice.AppsV1.ReplaceNamespacedDeploymentAsync(deployment, "web", ns));

        var request = Assert.Single(await cluster.RequestsAsync(ns));
        Assert.Equal(System.Net.HttpStatusCode.Forbidden, refused.Response.StatusCode);
        Assert.Equal(new Core.Admission.GateDenial(Core.Admission.DenialKind.NeedsApproval, ns, request.Metadata.Name),
            Core.Admission.GateDenial.TryRead(refused.Response.Content));
    }

    [Fact]
    public async Task Denied_with_how_to_approve_then_the_retry_passes_once_and_a_repeat_needs_a_new_approval()
    {
        var ns = await GatedNamespaceAsync("once", wait: "0s");
        var change = Deployment(ns, 3, reason: "scale for the sale");

        var first = await cluster.Piped("alice", change, "apply", "-f", "-");

        Assert.False(first.Succeeded);
        var request = Assert.Single(await cluster.RequestsAsync(ns));
        var name = request.Metadata.Name;
        Assert.Contains(Denied, first.Stderr, StringComparison.Ordinal);
        Assert.Contains($"UPDATE deployments {ns}/web needs approval (policy {ns}-deployments)", first.Stderr, StringComparison.Ordinal);
        Assert.Contains($"ApprovalRequest {name} in namespace {ns}: approvals 0/1 (sre 0/1); expires in", first.Stderr, StringComparison.Ordinal);
        Assert.Contains($"kubectl jit approve {name} -n {ns}", first.Stderr, StringComparison.Ordinal);
        Assert.Contains($"kubectl patch areq {name} -n {ns} --type=json", first.Stderr, StringComparison.Ordinal);
        // The request is the webhook's record of the exact change, with the requester from userInfo.
        Assert.Equal("alice", request.Spec.Requester.Username);
        Assert.Contains("devs", request.Spec.Requester.Groups);
        Assert.Equal(("UPDATE", "apps", "deployments", ns, "web"),
            (request.Spec.Action.Operation, request.Spec.Action.Group, request.Spec.Action.Resource, request.Spec.Action.Namespace, request.Spec.Action.Name));
        Assert.Matches("^[0-9a-f]{64}$", request.Spec.Fingerprint);
        Assert.Equal("scale for the sale", request.Spec.Reason);
        Assert.Contains("replicas", request.Spec.Change, StringComparison.Ordinal);
        Assert.Equal("alice", request.Metadata.Labels[ApiConstants.RequesterLabel]);
        Assert.Equal(1, await ReplicasAsync(ns));

        cluster.Require(await cluster.ReviewAsync("bob", ns, name, "bob"));
        cluster.Require(await cluster.Piped("alice", change, "apply", "-f", "-"));
        Assert.Equal(3, await ReplicasAsync(ns));
        Assert.Equal(RequestPhase.Consumed, (await cluster.RequestAsync(ns, name)).Status?.Phase);

        // Applying the same state again changes nothing and passes (docs/semantics.md, no-op updates). Once the
        // autoscaler (a trusted controller) has scaled it back, the same change is a change again: the single use is spent.
        cluster.Require(await cluster.Piped("alice", change, "apply", "--server-side", "--force-conflicts", "-f", "-"));
        Assert.Single(await cluster.RequestsAsync(ns));
        var autoscaler = await cluster.Sandbox.UserKubeconfigAsync("system:serviceaccount:kube-system:horizontal-pod-autoscaler", "system:serviceaccounts");
        await cluster.Sandbox.BindAsync("edit", "system:serviceaccount:kube-system:horizontal-pod-autoscaler", ns);
        cluster.Require(await cluster.Sandbox.KubectlAsync(autoscaler, ["scale", "deployment", "web", "-n", ns, "--replicas=1"]));
        var again = await cluster.Piped("alice", change, "apply", "--server-side", "--force-conflicts", "-f", "-");

        Assert.False(again.Succeeded);
        Assert.Contains($"The approval ApprovalRequest {name} in namespace {ns} was already used 1/1 times", again.Stderr, StringComparison.Ordinal);
        Assert.Contains($"ApprovalRequest {name}-2 in namespace {ns}", again.Stderr, StringComparison.Ordinal);
        Assert.Equal([name, name + "-2"], (await cluster.RequestsAsync(ns)).Select(r => r.Metadata.Name));
    }

    [Fact]
    public async Task An_approval_does_not_cover_different_content()
    {
        var ns = await GatedNamespaceAsync("tamper", wait: "0s");
        Assert.False((await cluster.Piped("alice", Deployment(ns, 3), "apply", "-f", "-")).Succeeded);
        var approved = Assert.Single(await cluster.RequestsAsync(ns));
        cluster.Require(await cluster.ReviewAsync("bob", ns, approved.Metadata.Name, "bob"));

        var tampered = await cluster.Piped("alice", Deployment(ns, 30), "apply", "-f", "-");

        Assert.False(tampered.Succeeded);
        Assert.Contains("needs approval", tampered.Stderr, StringComparison.Ordinal);
        Assert.Equal(1, await ReplicasAsync(ns));
        var requests = await cluster.RequestsAsync(ns);
        Assert.Equal(2, requests.Count);
        var fresh = Assert.Single(requests, r => r.Metadata.Name != approved.Metadata.Name);
        Assert.NotEqual(approved.Spec.Fingerprint, fresh.Spec.Fingerprint);
        Assert.Contains($"ApprovalRequest {fresh.Metadata.Name} in namespace {ns}", tampered.Stderr, StringComparison.Ordinal);
        Assert.Equal(0, (await cluster.RequestAsync(ns, approved.Metadata.Name)).Status?.Uses ?? 0);

        // The approved change itself still goes through.
        cluster.Require(await cluster.Piped("alice", Deployment(ns, 3), "apply", "-f", "-"));
        Assert.Equal(3, await ReplicasAsync(ns));
    }

    [Fact]
    public async Task A_denial_answers_retries_of_the_same_change()
    {
        var ns = await GatedNamespaceAsync("deny", wait: "0s");
        Assert.False((await cluster.Piped("alice", Deployment(ns, 3), "apply", "-f", "-")).Succeeded);
        var request = Assert.Single(await cluster.RequestsAsync(ns));
        cluster.Require(await cluster.ReviewAsync("bob", ns, request.Metadata.Name, "bob", "Deny", ",\"comment\":\"not during the freeze\""));

        var retry = await cluster.Piped("alice", Deployment(ns, 3), "apply", "-f", "-");

        Assert.False(retry.Succeeded);
        Assert.Contains($"UPDATE deployments {ns}/web was denied by bob: \"not during the freeze\"", retry.Stderr, StringComparison.Ordinal);
        Assert.Single(await cluster.RequestsAsync(ns));
    }

    [Fact]
    public async Task A_dry_run_creates_nothing_and_warns()
    {
        var ns = await GatedNamespaceAsync("dryrun", wait: "0s");

        var dryRun = await cluster.Piped("alice", Deployment(ns, 3), "apply", "--dry-run=server", "-f", "-");

        cluster.Require(dryRun);
        Assert.Contains("Warning: dry run: the real request would need approval (policy", dryRun.Stderr, StringComparison.Ordinal);
        Assert.Empty(await cluster.RequestsAsync(ns));
        Assert.Equal(1, await ReplicasAsync(ns));
    }

    [Fact]
    public async Task Delete_and_scale_are_gated_and_ungated_requests_pass_untouched()
    {
        var ns = await GatedNamespaceAsync("ops", wait: "0s");

        var scale = await cluster.As("alice", "scale", "deployment", "web", "-n", ns, "--replicas=4");
        var delete = await cluster.As("alice", "delete", "deployment", "web", "-n", ns);

        Assert.Contains($"UPDATE deployments/scale {ns}/web needs approval", scale.Stderr, StringComparison.Ordinal);
        Assert.Contains($"DELETE deployments {ns}/web needs approval", delete.Stderr, StringComparison.Ordinal);
        Assert.Equal(1, await ReplicasAsync(ns));
        Assert.Equal(2, (await cluster.RequestsAsync(ns)).Count);

        // Nothing the policy matches: not held, no request, the object exactly as sent.
        cluster.Require(await cluster.As("alice", "create", "configmap", "settings", "-n", ns, "--from-literal=mode=fast"));
        var other = await cluster.NamespaceAsync("free");
        await cluster.ApplyAsync(Deployment(other, 1));
        cluster.Require(await cluster.Piped("alice", Deployment(other, 5), "apply", "-f", "-"));
        Assert.Equal(5, await ReplicasAsync(other));
        Assert.Empty(await cluster.RequestsAsync(other));
        Assert.Equal(2, (await cluster.RequestsAsync(ns)).Count);
        var settings = await cluster.Admin.CoreV1.ReadNamespacedConfigMapAsync("settings", ns);
        Assert.Equal("fast", settings.Data["mode"]);
        Assert.Null(settings.Metadata.Annotations);
    }
}
