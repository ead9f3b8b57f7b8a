using JitAdmission.Integration.Tests.EndToEnd;
using JitAdmission.Integration.Tests.Infrastructure;
using JitAdmission.Kubernetes.Tests.Support;
using k8s;
using k8s.Models;

namespace JitAdmission.Integration.Tests.WebhookConfiguration;

/// <summary>
/// jit-admission out of cluster without the chart (<c>--webhook-url</c>, an identity allowed to create webhook
/// configurations, as the README's "run it out of cluster" shows): the leader registers and keeps its own webhook
/// configurations. Installed by the chart, it only keeps those the chart made (JitCluster's tests).
/// </summary>
public sealed class UrlModeCluster : IAsyncLifetime
{
    public KubeSandbox Sandbox { get; } = new();
    public JitAdmissionProcess Jit { get; private set; } = null!;
    public IKubernetes Admin { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await Sandbox.InitializeAsync();
        await Crds.CrdInstallation.EnsureAsync(Sandbox);
        Admin = Sandbox.AdminClient();
        Jit = await JitAdmissionProcess.StartAsync(Sandbox.AdminKubeconfig, JitCluster.OperatorNamespace);
        await Jit.WaitUntilRegisteredAsync(Admin, JitCluster.ConfigurationName);
    }

    public async Task DisposeAsync()
    {
        if (Jit is not null) await Jit.DisposeAsync();
        Admin?.Dispose();
        await Sandbox.DisposeAsync();
    }

    public Task<CommandResult> AsAdmin(params string[] args) => Sandbox.AdminKubectlAsync(args);

    public Task ApplyAsync(string yaml) => Sandbox.ApplyAsync(yaml);

    public void Require(CommandResult result)
    {
        if (!result.Succeeded) throw new Xunit.Sdk.XunitException($"kubectl failed: {result}\n--- jit-admission ---\n{JitCluster.Tail(Jit?.Output)}");
    }
}

/// <summary>The leader keeps the webhook configurations as the policies, the settings and its CA say.</summary>
public sealed class WebhookConfigurationOwnerTests(UrlModeCluster cluster) : IClassFixture<UrlModeCluster>
{
    private const string Name = JitCluster.ConfigurationName;

    private Task<V1ValidatingWebhookConfiguration> ValidatingAsync() => cluster.Admin.AdmissionregistrationV1.ReadValidatingWebhookConfigurationAsync(Name);

    private async Task<IList<V1RuleWithOperations>> GateRulesAsync() =>
        (await ValidatingAsync()).Webhooks.Single(w => w.Name == "gate.jitadmission.io").Rules ?? [];

    private static string JobPolicy(string name, string resource) => $$"""
        apiVersion: jitadmission.io/v1alpha1
        kind: ApprovalPolicy
        metadata:
          name: {{name}}
        spec:
          match:
            resources:
              - apiGroups: [batch]
                resources: [{{resource}}]
                operations: [DELETE]
          approval:
            approvers: [{groups: [sre]}]
        """;

    private static bool Gates(IList<V1RuleWithOperations> rules, string resource) =>
        rules.Any(r => r.ApiGroups.Contains("batch") && r.Resources.Contains(resource) && r.Operations.Contains("DELETE"));

    [Fact]
    public async Task It_registers_gate_guard_and_stamp_as_documented()
    {
        var validating = await ValidatingAsync();
        var mutating = await cluster.Admin.AdmissionregistrationV1.ReadMutatingWebhookConfigurationAsync(Name);

        var gate = validating.Webhooks.Single(w => w.Name == "gate.jitadmission.io");
        Assert.Equal(cluster.Jit.Url + "/validate", gate.ClientConfig.Url);
        Assert.Contains("BEGIN CERTIFICATE", System.Text.Encoding.UTF8.GetString(gate.ClientConfig.CaBundle), StringComparison.Ordinal);
        Assert.Equal("NoneOnDryRun", gate.SideEffects);
        Assert.Equal("Fail", gate.FailurePolicy);
        Assert.Equal(30, gate.TimeoutSeconds);
        Assert.Equal("Equivalent", gate.MatchPolicy);
        Assert.Equal(["v1"], gate.AdmissionReviewVersions);
        var excluded = Assert.Single(gate.NamespaceSelector.MatchExpressions);
        Assert.Equal(("kubernetes.io/metadata.name", "NotIn"), (excluded.Key, excluded.OperatorProperty));
        // Only the operator's own namespace: kube-system is gated like any other (its controllers are trusted by name).
        Assert.Equal([JitCluster.OperatorNamespace], excluded.Values);
        Assert.DoesNotContain(gate.Rules ?? [], r => r.ApiGroups.Contains("jitadmission.io"));

        var guard = validating.Webhooks.Single(w => w.Name == "guard.jitadmission.io");
        Assert.Equal(cluster.Jit.Url + "/guard", guard.ClientConfig.Url);
        Assert.Equal(("None", "Fail"), (guard.SideEffects, guard.FailurePolicy));
        Assert.Equal([["approvalrequests"], ["approvalrequests/status", "approvalpolicies"]], guard.Rules.Select(r => r.Resources));
        Assert.Equal([["CREATE", "UPDATE", "DELETE"], ["CREATE", "UPDATE"]], guard.Rules.Select(r => r.Operations));

        var stamp = Assert.Single(mutating.Webhooks);
        Assert.Equal("stamp.jitadmission.io", stamp.Name);
        Assert.Equal(cluster.Jit.Url + "/mutate", stamp.ClientConfig.Url);
        Assert.Equal(["approvalrequests"], Assert.Single(stamp.Rules).Resources);
        Assert.Equal(("None", "Fail"), (stamp.SideEffects, stamp.FailurePolicy));
    }

    [Fact]
    public async Task Gate_rules_follow_policies_as_they_are_created_changed_and_deleted()
    {
        var policy = "rules-" + Guid.NewGuid().ToString("N")[..6];

        await cluster.ApplyAsync(JobPolicy(policy, "jobs"));
        await Poll.UntilAsync(async () => Gates(await GateRulesAsync(), "jobs"), TimeSpan.FromSeconds(15), "created: jobs are gated");

        await cluster.ApplyAsync(JobPolicy(policy, "cronjobs"));
        await Poll.UntilAsync(async () => await GateRulesAsync() is var rules && Gates(rules, "cronjobs") && !Gates(rules, "jobs"),
            TimeSpan.FromSeconds(15), "changed: cronjobs instead of jobs");

        cluster.Require(await cluster.AsAdmin("delete", "apol", policy));
        await Poll.UntilAsync(async () => !Gates(await GateRulesAsync(), "cronjobs"), TimeSpan.FromSeconds(15), "deleted: nothing of it left");
    }

    [Fact]
    public async Task A_deleted_configuration_is_recreated()
    {
        cluster.Require(await cluster.AsAdmin("delete", "validatingwebhookconfiguration", Name));
        cluster.Require(await cluster.AsAdmin("delete", "mutatingwebhookconfiguration", Name));

        await Poll.UntilAsync(async () => (await cluster.AsAdmin("get", "validatingwebhookconfiguration", Name)).Succeeded
            && (await cluster.AsAdmin("get", "mutatingwebhookconfiguration", Name)).Succeeded, TimeSpan.FromSeconds(15), "both are back");
        Assert.Equal(["gate.jitadmission.io", "release.jitadmission.io", "guard.jitadmission.io"], (await ValidatingAsync()).Webhooks.Select(w => w.Name));
    }

    [Fact]
    public async Task Edits_to_our_webhooks_are_undone_and_metadata_is_kept()
    {
        // As a Helm release would label it, and as someone weakening the gate would edit it.
        cluster.Require(await cluster.AsAdmin("label", "validatingwebhookconfiguration", Name, "app.kubernetes.io/managed-by=Helm", "--overwrite"));
        cluster.Require(await cluster.AsAdmin("patch", "validatingwebhookconfiguration", Name, "--type=json", "-p",
            """[{"op":"replace","path":"/webhooks/0/failurePolicy","value":"Ignore"},{"op":"add","path":"/webhooks/0/objectSelector","value":{"matchLabels":{"skip":"me"}}}]"""));

        await Poll.UntilAsync(async () => (await ValidatingAsync()).Webhooks[0] is { FailurePolicy: "Fail" } gate && (gate.ObjectSelector?.MatchLabels is null || gate.ObjectSelector.MatchLabels.Count == 0),
            TimeSpan.FromSeconds(15), "the gate fails closed again and selects every object");
        Assert.Equal("Helm", (await ValidatingAsync()).Metadata.Labels["app.kubernetes.io/managed-by"]);
    }
}
