using JitAdmission.Core.Api;
using JitAdmission.Integration.Tests.Cli;
using JitAdmission.Integration.Tests.Infrastructure;
using JitAdmission.Kubernetes.Tests.Support;

namespace JitAdmission.Integration.Tests.EndToEnd;

/// <summary>
/// Extending a Grant end to end (docs/approvals.md, "Extending a Grant"): alice runs <c>kubectl jit extend</c> (the real
/// plugin through kubectl) late in her approved Grant's window; the chart's guard admits the linked request within the policy's
/// <c>extensions.max</c> and refuses one past it; with <c>approval: Automatic</c> her gated change goes through on
/// the extension once the original window has ended, with <c>Required</c> only after bob approves it.
/// </summary>
[Collection(EndToEndGroup.Name)]
public sealed class ExtensionTests(JitCluster cluster)
{
    private async Task<string> NamespaceAsync(string approval)
    {
        var ns = await cluster.NamespaceAsync("extend");
        await cluster.ApplyAsync($$"""
            apiVersion: jitadmission.io/v1alpha1
            kind: ApprovalPolicy
            metadata: {name: {{ns}}}
            spec:
              match: {resources: [{apiGroups: [""], resources: [configmaps], operations: [CREATE]}], namespaces: [{{ns}}]}
              approval:
                approvers: [{name: sre, groups: [sre]}]
                scope: Grant
                wait: 0s
                validFor: 15s
                extensions: {max: 1, approval: {{approval}}}
            """);
        await JitCluster.WaitUntilGatedAsync(() => cluster.As("alice", "create", "configmap", "probe", "-n", ns, "--dry-run=server"));
        cluster.Require(await cluster.Piped("alice", Manifests.ConfigMapGrant("alice-grant", ns, ns), "create", "-f", "-"));
        cluster.Require(await cluster.ReviewAsync("bob", ns, "alice-grant", "bob"));
        await Poll.UntilAsync(async () => (await cluster.RequestAsync(ns, "alice-grant")).Status?.Phase == RequestPhase.Approved, TimeSpan.FromSeconds(20), "approved");
        return ns;
    }

    private Task<CommandResult> ExtendAsync(string ns, string name) =>
        new KubectlJit(cluster.Sandbox).RunAsync(cluster.KubeconfigOf("alice"), "extend", name, "-n", ns, "--for", "15s", "--reason", "still on it");

    private async Task<bool> CreateAsync(string ns, string name) => (await cluster.As("alice", "create", "configmap", name, "-n", ns)).Succeeded;

    [Fact]
    public async Task An_automatic_extension_carries_the_grant_past_its_window_once_and_a_second_is_refused()
    {
        var ns = await NamespaceAsync("Automatic");
        Assert.True(await CreateAsync(ns, "during-grant"));

        // Late in the Grant's window (15 s), alice extends it: the extension runs 15 s from its creation.
        await Task.Delay(TimeSpan.FromSeconds(8));
        var extended = await ExtendAsync(ns, "alice-grant");
        cluster.Require(extended);
        var extension = await cluster.RequestAsync(ns, "alice-grant-ext-1");
        Assert.Equal("alice-grant", extension.Spec.Extends);

        // The original window ends; the extension still lets alice through, without another review.
        await Poll.UntilAsync(async () => (await cluster.RequestAsync(ns, "alice-grant")).Status?.Phase == RequestPhase.Expired, TimeSpan.FromSeconds(30), "the grant expired");
        Assert.True(await CreateAsync(ns, "during-extension"));
        var used = await cluster.RequestAsync(ns, "alice-grant-ext-1");
        Assert.Contains(used.Status!.Usage, u => u.By == "alice");
        Assert.Empty(used.Spec.Reviews);

        // max: 1 — extending the extension is refused by the guard, with the reason.
        var second = await ExtendAsync(ns, "alice-grant-ext-1");
        Assert.False(second.Succeeded);
        Assert.Contains("the policies allow at most 1", second.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_required_extension_is_usable_only_after_an_approver_approves_it()
    {
        var ns = await NamespaceAsync("Required");
        await Task.Delay(TimeSpan.FromSeconds(8));
        cluster.Require(await ExtendAsync(ns, "alice-grant"));
        await Poll.UntilAsync(async () => (await cluster.RequestAsync(ns, "alice-grant")).Status?.Phase == RequestPhase.Expired, TimeSpan.FromSeconds(30), "the grant expired");

        Assert.False(await CreateAsync(ns, "before-review"));
        cluster.Require(await cluster.ReviewAsync("bob", ns, "alice-grant-ext-1", "bob"));
        await Poll.UntilAsync(() => CreateAsync(ns, "after-review"), TimeSpan.FromSeconds(20), "allowed once bob approved the extension");
    }
}
