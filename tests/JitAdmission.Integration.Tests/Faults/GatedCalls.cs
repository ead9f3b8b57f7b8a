using System.Net;
using JitAdmission.Core.Api;
using JitAdmission.Integration.Tests.EndToEnd;
using JitAdmission.Integration.Tests.Infrastructure;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace JitAdmission.Integration.Tests.Faults;

/// <summary>How a gated call through the API server ended, as the caller saw it.</summary>
internal enum CallOutcome
{
    /// <summary>The API server stored the change.</summary>
    Allowed,

    /// <summary>The gate refused it with its reason (needs approval, already used).</summary>
    Denied,

    /// <summary>Anything else: the webhook unreachable, an API server error, a time-out, or the gate failing closed.</summary>
    Failed,
}

/// <summary>
/// Gated traffic for the fault scenarios: alice's calls through the API server with her own client certificate,
/// bob's approvals with kubectl, and the ledger read back from the API server as the sandbox's admin.
/// </summary>
internal sealed class GatedCalls(JitCluster cluster, string @namespace, string? kubeconfig = null) : IDisposable
{
    // alice's calls unless another requester's kubeconfig is given.
    private readonly IKubernetes _alice = KubeSandbox.ClientFor(kubeconfig ?? cluster.KubeconfigOf("alice"));

    public string Namespace { get; } = @namespace;

    /// <summary>A fresh namespace where alice's ConfigMap creates are gated (and the gate enforces it already).</summary>
    public static async Task<GatedCalls> CreatesGatedAsync(JitCluster cluster, string prefix, string scope = "Exact", string wait = "0s", int? maxUses = null)
    {
        var calls = new GatedCalls(cluster, await cluster.NamespaceAsync(prefix));
        await calls.PolicyAsync("CREATE", scope, wait, maxUses);
        await calls.WaitUntilGatedAsync();
        return calls;
    }

    /// <summary>A policy gating <paramref name="operation"/> of ConfigMaps in the namespace, approved by sre.</summary>
    public Task PolicyAsync(string operation, string scope = "Exact", string wait = "0s", int? maxUses = null) =>
        cluster.ApplyAsync($$"""
            apiVersion: jitadmission.io/v1alpha1
            kind: ApprovalPolicy
            metadata: {name: {{Namespace}}}
            spec:
              match: {resources: [{apiGroups: [""], resources: [configmaps], operations: [{{operation}}]}], namespaces: [{{Namespace}}]}
              approval: {approvers: [{name: sre, groups: [sre]}], scope: {{scope}}, wait: {{wait}}, validFor: 10m{{(maxUses is { } m ? $", maxUses: {m}" : "")}}}
            """);

    /// <summary>alice's Grant for CREATE of ConfigMaps in the namespace, made ahead of time, approved by bob.</summary>
    public async Task GrantAsync(string name)
    {
        cluster.Require(await cluster.Piped("alice", Manifests.ConfigMapGrant(name, Namespace, Namespace), "create", "-f", "-"));
        await ApproveAsync(name);
        await WaitApprovedAsync(name);
    }

    /// <summary>Waits until a dry run of <paramref name="name"/>'s create answers as gated.</summary>
    public Task WaitUntilGatedAsync(string name = "probe") =>
        JitCluster.WaitUntilGatedAsync(() => cluster.As("alice", "create", "configmap", name, "-n", Namespace, "--dry-run=server"));

    public async Task<CallOutcome> CreateAsync(string name, CancellationToken cancellationToken = default) =>
        (await CreateExplainedAsync(name, cancellationToken)).Outcome;

    /// <summary>A create, with what the API server said when it refused it.</summary>
    public Task<(CallOutcome Outcome, string Message)> CreateExplainedAsync(string name, CancellationToken cancellationToken = default) =>
        OutcomeOf(() => _alice.CoreV1.CreateNamespacedConfigMapAsync(
            new V1ConfigMap { Metadata = new V1ObjectMeta { Name = name }, Data = new Dictionary<string, string> { ["mode"] = "maintenance" } },
            Namespace, cancellationToken: cancellationToken));

    public async Task<CallOutcome> PatchAsync(string name, string mode, CancellationToken cancellationToken = default) =>
        (await OutcomeOf(() => _alice.CoreV1.PatchNamespacedConfigMapAsync(
            new V1Patch($$$"""{"data":{"mode":"{{{mode}}}"}}""", V1Patch.PatchType.MergePatch), name, Namespace, cancellationToken: cancellationToken))).Outcome;

    /// <summary>What the last failed call said, for failure messages.</summary>
    public string LastFailure { get; private set; } = "";

    private async Task<(CallOutcome Outcome, string Message)> OutcomeOf(Func<Task> call)
    {
        try
        {
            await call();
            return (CallOutcome.Allowed, "");
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Forbidden
            // The Status body is JSON: the quotes around the webhook's name are escaped there.
            && e.Response.Content.Contains("gate.jitadmission.io", StringComparison.Ordinal)
            && e.Response.Content.Contains("denied the request", StringComparison.Ordinal)
            && !e.Response.Content.Contains("could not decide", StringComparison.Ordinal))
        {
            return (CallOutcome.Denied, e.Response.Content);
        }
        catch (Exception e) when (e is HttpOperationException or HttpRequestException or TaskCanceledException or IOException)
        {
            LastFailure = e is HttpOperationException h ? $"{(int)h.Response.StatusCode} {h.Response.Content}" : e.Message;
            return (CallOutcome.Failed, LastFailure);
        }
    }

    /// <summary>bob's approval (the documented patch), retried while the API server or the guard is coming back.</summary>
    public async Task ApproveAsync(string request)
    {
        var deadline = DateTime.UtcNow.AddSeconds(40);
        CommandResult approved;
        do
        {
            approved = await cluster.ReviewAsync("bob", Namespace, request, "bob");
            if (approved.Succeeded || approved.Stderr.Contains("has already reviewed", StringComparison.Ordinal)) return;
            await Task.Delay(250);
        }
        while (DateTime.UtcNow < deadline);
        cluster.Require(approved, "bob's approval");
    }

    /// <summary>Waits until the controller has marked the request Approved.</summary>
    public async Task WaitApprovedAsync(string request) =>
        await Kubernetes.Tests.Support.Poll.UntilAsync(async () => (await cluster.RequestAsync(Namespace, request)).Status?.Phase is RequestPhase.Approved,
            TimeSpan.FromSeconds(30), $"{request} Approved");

    /// <summary>
    /// The ConfigMap exists, and the request's every use was recorded no earlier than its approval. (Not the ConfigMap's
    /// creationTimestamp: the API server sets it when the call arrives, before admission holds it.)
    /// </summary>
    public async Task AssertUsedAfterApprovalAsync(string configMap, string request)
    {
        await cluster.Admin.CoreV1.ReadNamespacedConfigMapAsync(configMap, Namespace);
        var status = (await cluster.RequestAsync(Namespace, request)).Status;
        var approved = status?.ApprovedAt;
        Assert.True(approved is not null, $"{request} has no approval time, yet {configMap} is stored");
        Assert.NotEmpty(status!.Usage);
        Assert.All(status.Usage, u => Assert.True(u.Time >= approved.Value,
            $"{request} was used at {u.Time:O} by {u.AdmissionUid}, before it was approved at {approved:O}"));
    }

    /// <summary>Polls <paramref name="call"/> until it is allowed (a retry after a fault); returns its attempts.</summary>
    public static async Task<int> RetryUntilAllowedAsync(Func<Task<CallOutcome>> call, FaultTally tally, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        var attempts = 0;
        while (true)
        {
            attempts++;
            var outcome = await call();
            tally.Count(outcome);
            if (outcome == CallOutcome.Allowed) return attempts;
            if (DateTime.UtcNow > deadline) throw new Xunit.Sdk.XunitException($"a retry was still {outcome} after {attempts} attempts");
            await Task.Delay(500);
        }
    }

    public void Dispose() => _alice.Dispose();
}
