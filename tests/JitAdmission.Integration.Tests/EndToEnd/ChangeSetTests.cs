using JitAdmission.Core.Api;
using JitAdmission.Integration.Tests.Cli;
using JitAdmission.Integration.Tests.Infrastructure;
using JitAdmission.Kubernetes.Tests.Support;

namespace JitAdmission.Integration.Tests.EndToEnd;

/// <summary>
/// Change sets end to end (docs/semantics.md "Change sets"): alice runs the real plugin, <c>kubectl jit apply -f DIR</c>,
/// on a directory of three gated ConfigMaps and an ungated ServiceAccount; the chart's replicas (RBAC enforced) see her
/// server-side dry runs, the guard checks the set she creates, bob approves once with kubectl, and her next apply lets
/// every object through, each exactly once. What she changes after the approval needs its own.
/// </summary>
[Collection(EndToEndGroup.Name)]
public sealed class ChangeSetTests(JitCluster cluster)
{
    private static string ConfigMap(string ns, string name, string value) => $"""
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: {name}
          namespace: {ns}
        data:
          value: "{value}"
        """;

    /// <summary>A namespace whose ConfigMap writes need an SRE's approval, and a directory of alice's manifests for it.</summary>
    private async Task<(string Ns, string Dir)> SetUpAsync()
    {
        var ns = await cluster.NamespaceAsync("set");
        await cluster.ApplyAsync($$"""
            apiVersion: jitadmission.io/v1alpha1
            kind: ApprovalPolicy
            metadata: {name: {{ns}}}
            spec:
              match:
                resources: [{apiGroups: [""], resources: [configmaps], operations: [CREATE, UPDATE]}]
                namespaces: [{{ns}}]
              approval: {approvers: [{name: sre, groups: [sre]}], wait: 0s}
            """);
        await JitCluster.WaitUntilGatedAsync(() => cluster.As("alice", "create", "configmap", "probe", "-n", ns, "--dry-run=server"));
        var dir = Directory.CreateTempSubdirectory("changeset-").FullName;
        foreach (var name in new[] { "a", "b", "c" })
            await File.WriteAllTextAsync(Path.Combine(dir, $"{name}.yaml"), ConfigMap(ns, name, "v1"));
        await File.WriteAllTextAsync(Path.Combine(dir, "sa.yaml"), $"apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: deployer\n  namespace: {ns}\n");
        return (ns, dir);
    }

    private Task<CommandResult> JitApplyAsync(string dir, params string[] extra) =>
        new KubectlJit(cluster.Sandbox).RunAsync(cluster.KubeconfigOf("alice"), ["apply", "-f", dir, "--reason", "rotate settings", .. extra]);

    private async Task<string[]> ConfigMapsAsync(string ns)
    {
        // The namespace's own kube-root-ca.crt is left out: only alice's ConfigMaps, name=value.
        var list = await cluster.AsAdmin("get", "configmaps", "-n", ns, "-o", "jsonpath={range .items[*]}{.metadata.name}={.data.value}{\"\\n\"}{end}");
        cluster.Require(list);
        return [.. list.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(c => c.Length > 1 && c[1] == '=').Order(StringComparer.Ordinal)];
    }

    [Fact]
    public async Task One_approval_lets_a_directory_of_gated_objects_through_each_exactly_once()
    {
        var (ns, dir) = await SetUpAsync();

        // Nothing is applied before the approval; one request holds the three ConfigMaps as the API server would store them.
        var first = await JitApplyAsync(dir);
        Assert.Equal(7, first.ExitCode);
        Assert.Contains("asks for 3 objects at once", first.Stderr, StringComparison.Ordinal);
        Assert.Empty(await ConfigMapsAsync(ns));
        Assert.False((await cluster.AsAdmin("get", "serviceaccount", "deployer", "-n", ns)).Succeeded);
        var set = Assert.Single(await cluster.RequestsAsync(ns));
        Assert.Equal(["a", "b", "c"], set.Spec.ChangeSet!.Objects.Select(o => o.Name).Order(StringComparer.Ordinal));
        Assert.All(set.Spec.ChangeSet.Objects, o => Assert.Equal("CREATE", o.Operation));
        Assert.Equal("rotate settings", set.Spec.Reason);

        // Asking again re-uses the pending set.
        var again = await JitApplyAsync(dir);
        Assert.Equal(7, again.ExitCode);
        Assert.Contains("already asks for these 3 objects", again.Stderr, StringComparison.Ordinal);
        Assert.Single(await cluster.RequestsAsync(ns));

        // One review; then every object goes through, each using the set once.
        cluster.Require(await cluster.ReviewAsync("bob", ns, set.Metadata.Name, "bob"));
        await Poll.UntilAsync(async () => (await cluster.RequestAsync(ns, set.Metadata.Name)).Status?.Phase == RequestPhase.Approved, TimeSpan.FromSeconds(20), "approved");
        var applied = await JitApplyAsync(dir);
        cluster.Require(applied);
        Assert.Equal(["a=v1", "b=v1", "c=v1"], await ConfigMapsAsync(ns));
        Assert.True((await cluster.AsAdmin("get", "serviceaccount", "deployer", "-n", ns)).Succeeded);
        var used = await cluster.RequestAsync(ns, set.Metadata.Name);
        Assert.Equal(3, used.Status!.UsedObjects!.Count);
        Assert.Equal(RequestPhase.Consumed, used.Status.Phase);

        // Spent: the same change again needs a new approval.
        await File.WriteAllTextAsync(Path.Combine(dir, "a.yaml"), ConfigMap(ns, "a", "v2"));
        var later = await cluster.As("alice", "apply", "-f", Path.Combine(dir, "a.yaml"));
        Assert.False(later.Succeeded);
        Assert.Contains("needs approval", later.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_object_changed_after_the_approval_is_not_covered_and_the_others_still_are()
    {
        var (ns, dir) = await SetUpAsync();
        Assert.Equal(7, (await JitApplyAsync(dir)).ExitCode);
        var set = Assert.Single(await cluster.RequestsAsync(ns));
        cluster.Require(await cluster.ReviewAsync("bob", ns, set.Metadata.Name, "bob"));
        await Poll.UntilAsync(async () => (await cluster.RequestAsync(ns, set.Metadata.Name)).Status?.Phase == RequestPhase.Approved, TimeSpan.FromSeconds(20), "approved");

        // alice edits c after bob approved what he saw: a and b go through on the set, c needs its own approval.
        await File.WriteAllTextAsync(Path.Combine(dir, "c.yaml"), ConfigMap(ns, "c", "tampered"));
        var applied = await JitApplyAsync(dir);
        Assert.Equal(7, applied.ExitCode);
        Assert.Equal(["a=v1", "b=v1"], await ConfigMapsAsync(ns));
        var requests = await cluster.RequestsAsync(ns);
        Assert.Equal(2, requests.Count);
        var own = Assert.Single(requests, r => r.Spec.ChangeSet is null);
        Assert.Equal("c", own.Spec.Action.Name);
        Assert.Equal(2, (await cluster.RequestAsync(ns, set.Metadata.Name)).Status!.UsedObjects!.Count);
    }

    [Fact]
    public async Task With_wait_the_plugin_waits_for_the_one_approval_then_applies_everything()
    {
        var (ns, dir) = await SetUpAsync();
        await using var waiting = new KubectlJit(cluster.Sandbox).Start(cluster.KubeconfigOf("alice"), "apply", "-f", dir, "--wait", "--timeout", "60s");
        await Poll.UntilAsync(async () => (await cluster.RequestsAsync(ns)).Count == 1, TimeSpan.FromSeconds(30), "the change set");
        await waiting.WaitForStderrAsync(e => e.Contains("waiting for approval", StringComparison.Ordinal), TimeSpan.FromSeconds(30));
        var set = Assert.Single(await cluster.RequestsAsync(ns));
        cluster.Require(await cluster.ReviewAsync("bob", ns, set.Metadata.Name, "bob"));
        var done = await waiting.WaitForExitAsync(TimeSpan.FromSeconds(60));
        Assert.True(done.Succeeded, done.ToString());
        Assert.Equal(["a=v1", "b=v1", "c=v1"], await ConfigMapsAsync(ns));
    }
}
