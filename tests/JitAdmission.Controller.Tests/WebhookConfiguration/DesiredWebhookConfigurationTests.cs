using JitAdmission.Controller.WebhookConfiguration;
using JitAdmission.Core.Api;
using k8s;
using k8s.Models;

namespace JitAdmission.Controller.Tests.WebhookConfiguration;

/// <summary>What the owner wants installed, and what it counts as drift (pure: no API server needed).</summary>
public sealed class DesiredWebhookConfigurationTests
{
    private static readonly WebhookConfigurationOptions Options = new() { Url = "https://127.0.0.1:8443", TimeoutSeconds = 12, FailurePolicy = "Ignore" };

    private static WebhookTarget Target(WebhookConfigurationOptions? options = null, string ca = "-----BEGIN CERTIFICATE-----\nA\n-----END CERTIFICATE-----\n") =>
        WebhookTarget.From(options ?? Options, "jit-system", ca);

    private static ApprovalPolicy Policy(string name, params ResourceRule[] rules) => new()
    {
        Metadata = new V1ObjectMeta { Name = name },
        Spec = new ApprovalPolicySpec { Match = new PolicyMatch { Resources = [.. rules] } },
    };

    private static ResourceRule Rule(string[] groups, string[] resources, params string[] operations) =>
        new() { ApiGroups = [.. groups], Resources = [.. resources], Operations = [.. operations] };

    private static V1ValidatingWebhookConfiguration Validating(params ApprovalPolicy[] policies) =>
        DesiredWebhookConfigurations.Validating(Options, Target(), policies, ["kube-system", "monitoring"]);

    [Fact]
    public void The_gate_gets_the_union_of_policy_rules_without_jit_admissions_own_group()
    {
        var validating = Validating(
            Policy("a", Rule(["apps"], ["deployments"], "UPDATE")),
            Policy("b", Rule(["apps", ApiConstants.Group], ["deployments", "deployments/scale"], "UPDATE", "DELETE")),
            Policy("c", Rule([ApiConstants.Group], ["approvalrequests"], "CREATE")));

        var gate = validating.Webhooks[0];
        Assert.Equal(WebhookNames.Gate, gate.Name);
        var rule = Assert.Single(gate.Rules);
        Assert.Equal(["apps"], rule.ApiGroups);
        Assert.Equal(["deployments", "deployments/scale"], rule.Resources);
        Assert.Equal(["DELETE", "UPDATE"], rule.Operations);
        Assert.Equal("*", rule.Scope);
    }

    [Fact]
    public void The_gate_skips_excluded_namespaces_and_our_own_and_follows_the_settings()
    {
        var gate = Validating().Webhooks[0];

        Assert.Empty(gate.Rules);
        var excluded = Assert.Single(gate.NamespaceSelector.MatchExpressions);
        Assert.Equal(("kubernetes.io/metadata.name", "NotIn"), (excluded.Key, excluded.OperatorProperty));
        Assert.Equal(["jit-system", "kube-system", "monitoring"], excluded.Values);
        Assert.Equal(("https://127.0.0.1:8443/validate", "NoneOnDryRun", "Ignore", 12, "Equivalent"),
            (gate.ClientConfig.Url, gate.SideEffects, gate.FailurePolicy, gate.TimeoutSeconds, gate.MatchPolicy));
        Assert.Equal(["v1"], gate.AdmissionReviewVersions);
        Assert.Empty(gate.MatchConditions);
        Assert.Empty(gate.ObjectSelector.MatchLabels ?? new Dictionary<string, string>());
    }

    [Fact]
    public void The_guard_and_stamp_always_fail_closed_and_cover_our_resources()
    {
        var guard = Validating().Webhooks.Single(w => w.Name == WebhookNames.Guard);
        var stamp = Assert.Single(DesiredWebhookConfigurations.Mutating(Options, Target()).Webhooks);

        Assert.Equal((WebhookNames.Guard, "https://127.0.0.1:8443/guard", "Fail", "None"), (guard.Name, guard.ClientConfig.Url, guard.FailurePolicy, guard.SideEffects));
        Assert.Equal([["approvalrequests"], ["approvalrequests/status", "approvalpolicies"]], guard.Rules.Select(r => r.Resources));
        // Requests are records: their deletion reaches the guard too.
        Assert.Equal([["CREATE", "UPDATE", "DELETE"], ["CREATE", "UPDATE"]], guard.Rules.Select(r => r.Operations));
        Assert.Equal((WebhookNames.Stamp, "https://127.0.0.1:8443/mutate", "Fail", "Never"), (stamp.Name, stamp.ClientConfig.Url, stamp.FailurePolicy, stamp.ReinvocationPolicy));
        Assert.Equal(["approvalrequests"], Assert.Single(stamp.Rules).Resources);
        Assert.Equal(["CREATE", "UPDATE"], Assert.Single(stamp.Rules).Operations);
    }

    [Fact]
    public void In_a_cluster_the_service_is_called()
    {
        var options = new WebhookConfigurationOptions { ServiceName = "jit-admission", ServicePort = 8443 };

        var client = DesiredWebhookConfigurations.Validating(options, Target(options), [], []).Webhooks[0].ClientConfig;

        Assert.Null(client.Url);
        Assert.Equal(("jit-admission", "jit-system", 8443, "/validate"), (client.Service.Name, client.Service.NamespaceProperty, client.Service.Port, client.Service.Path));
        Assert.StartsWith("-----BEGIN CERTIFICATE-----", System.Text.Encoding.UTF8.GetString(client.CaBundle), StringComparison.Ordinal);
    }

    [Fact]
    public void Helm_release_records_reach_the_gate_only_by_their_label_and_only_while_an_Enforce_policy_exists()
    {
        var release = Validating(Policy("a", Rule(["apps"], ["deployments"], "UPDATE"))).Webhooks.Single(w => w.Name == WebhookNames.Release);
        var gate = Validating(Policy("a", Rule(["apps"], ["deployments"], "UPDATE"))).Webhooks.Single(w => w.Name == WebhookNames.Gate);
        var rule = Assert.Single(release.Rules);
        Assert.Equal("|secrets|CREATE|Namespaced", string.Join("|", string.Join(",", rule.ApiGroups), string.Join(",", rule.Resources), string.Join(",", rule.Operations), rule.Scope));
        Assert.Equal("helm", release.ObjectSelector.MatchLabels["owner"]);
        Assert.Equal((gate.ClientConfig.Url, gate.FailurePolicy, gate.TimeoutSeconds), (release.ClientConfig.Url, release.FailurePolicy, release.TimeoutSeconds));
        Assert.Equal(KubernetesJson.Serialize(gate.NamespaceSelector), KubernetesJson.Serialize(release.NamespaceSelector));

        Assert.Empty(Validating().Webhooks.Single(w => w.Name == WebhookNames.Release).Rules);
    }

    [Fact]
    public void What_the_API_server_stored_as_sent_is_not_drift_but_any_owned_field_changed_is()
    {
        var desired = Validating(Policy("a", Rule(["apps"], ["deployments"], "UPDATE")));
        // As read back: defaults filled in, empty lists omitted, other metadata and webhooks present.
        V1ValidatingWebhookConfiguration Stored()
        {
            var stored = KubernetesJson.Deserialize<V1ValidatingWebhookConfiguration>(KubernetesJson.Serialize(desired));
            stored.Metadata.Labels = new Dictionary<string, string> { ["app.kubernetes.io/managed-by"] = "Helm" };
            foreach (var webhook in stored.Webhooks)
            {
                webhook.MatchConditions = null;
                if (webhook.ObjectSelector?.MatchLabels is not { Count: > 0 }) webhook.ObjectSelector = new V1LabelSelector();
            }

            stored.Webhooks.Add(new V1ValidatingWebhook { Name = "someone-else.example.com" });
            return stored;
        }

        Assert.False(WebhookDrift.Differs(desired, Stored()));
        Assert.True(WebhookDrift.Differs(desired, null));
        Assert.True(WebhookDrift.Differs(desired, With(Stored(), w => w.FailurePolicy = "Fail")));
        Assert.True(WebhookDrift.Differs(desired, With(Stored(), w => w.ObjectSelector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["skip"] = "me" } })));
        Assert.True(WebhookDrift.Differs(desired, With(Stored(), w => w.Rules = [])));
        Assert.True(WebhookDrift.Differs(desired, With(Stored(), w => w.ClientConfig.CaBundle = [1, 2, 3])));
        Assert.True(WebhookDrift.Differs(desired, With(Stored(), w => w.MatchConditions = [new V1MatchCondition { Name = "skip", Expression = "false" }])));
        Assert.True(WebhookDrift.Differs(desired, With(Stored(), w => w.NamespaceSelector = new V1LabelSelector())));
        var withoutGuard = Stored();
        withoutGuard.Webhooks.Remove(withoutGuard.Webhooks.Single(w => w.Name == WebhookNames.Guard));
        Assert.True(WebhookDrift.Differs(desired, withoutGuard));
    }

    [Fact]
    public void A_correction_replaces_our_webhooks_and_keeps_metadata_and_other_webhooks()
    {
        var desired = Validating();
        var current = new V1ValidatingWebhookConfiguration
        {
            Metadata = new V1ObjectMeta
            {
                Name = "jit-admission",
                ResourceVersion = "42",
                Labels = new Dictionary<string, string> { ["app.kubernetes.io/managed-by"] = "Helm" },
                ManagedFields = [new V1ManagedFieldsEntry { Manager = "helm" }],
            },
            Webhooks =
            [
                new V1ValidatingWebhook { Name = "someone-else.example.com" },
                new V1ValidatingWebhook { Name = WebhookNames.Gate, FailurePolicy = "Ignore" },
            ],
        };

        var merged = WebhookDrift.Merge(current, desired);

        Assert.Equal(["someone-else.example.com", WebhookNames.Gate, WebhookNames.Release, WebhookNames.Guard], merged.Webhooks.Select(w => w.Name));
        Assert.Same(desired.Webhooks[0], merged.Webhooks[1]);
        Assert.Equal("42", merged.Metadata.ResourceVersion);
        Assert.Equal("Helm", merged.Metadata.Labels["app.kubernetes.io/managed-by"]);
        Assert.Null(merged.Metadata.ManagedFields);
    }

    private static V1ValidatingWebhookConfiguration With(V1ValidatingWebhookConfiguration stored, Action<V1ValidatingWebhook> change)
    {
        change(stored.Webhooks[0]);
        return stored;
    }
}
