using k8s;
using JitAdmission.Core.Matching;

namespace JitAdmission.Controller.WebhookConfiguration;

/// <summary>
/// The webhook configurations as docs/configuration.md describes them, computed from the policies, the settings and
/// the CA: pure, so every reconcile of the same inputs gives the same objects. Every field a change could weaken
/// (selectors, match conditions, failure policy) is set explicitly, so drift in any of them is seen and undone.
/// </summary>
public static class DesiredWebhookConfigurations
{
    /// <summary>The label every namespace carries with its own name (Kubernetes 1.21+).</summary>
    public const string NamespaceNameLabel = "kubernetes.io/metadata.name";

    /// <summary>The guard and the stamp answer from memory; they need far less than the gate's hold.</summary>
    public const int GuardTimeoutSeconds = 10;

    private const string ApiVersion = "admissionregistration.k8s.io/v1";

    private static readonly List<string> ReviewVersions = ["v1"];

    public static V1ValidatingWebhookConfiguration Validating(
        WebhookConfigurationOptions options, WebhookTarget target, IEnumerable<ApprovalPolicy> policies, IEnumerable<string> excludedNamespaces)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(target);
        var gate = Gate(options, target, policies, excludedNamespaces);
        // Requests are records: their deletion is guarded too (RequestGuard.ValidateDelete).
        var guard = OwnResources(WebhookNames.Guard, WebhookNames.GuardPath, target,
            OwnRule([ApiConstants.RequestPlural], [Operations.Create, Operations.Update, Operations.Delete]),
            OwnRule([ApiConstants.RequestPlural + "/status", ApiConstants.PolicyPlural]));
        return new V1ValidatingWebhookConfiguration
        {
            ApiVersion = ApiVersion,
            Kind = "ValidatingWebhookConfiguration",
            Metadata = new V1ObjectMeta { Name = options.ConfigurationName },
            Webhooks = [gate, Release(gate, policies), guard],
        };
    }

    public static V1MutatingWebhookConfiguration Mutating(WebhookConfigurationOptions options, WebhookTarget target)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(target);
        // The stamp is set up as the guard is. A mutating webhook has every field of a validating one, plus how often it
        // may be called again: the same JSON read as the other kind.
        var stamp = KubernetesJson.Deserialize<V1MutatingWebhook>(KubernetesJson.Serialize(
            OwnResources(WebhookNames.Stamp, WebhookNames.StampPath, target, OwnRule([ApiConstants.RequestPlural]))));
        stamp.ReinvocationPolicy = "Never";
        return new V1MutatingWebhookConfiguration
        {
            ApiVersion = ApiVersion,
            Kind = "MutatingWebhookConfiguration",
            Metadata = new V1ObjectMeta { Name = options.ConfigurationName },
            Webhooks = [stamp],
        };
    }

    /// <summary>
    /// The union of what the policies match, so that requests no policy could match never reach the webhook, without
    /// jit-admission's own API group (its resources are the guard's; gating them could lock approvers out). A rule for
    /// every group (<c>*</c>) cannot leave one out; the gate lets those requests through itself.
    /// </summary>
    public static IReadOnlyList<ResourceRule> GateRules(IEnumerable<ApprovalPolicy> policies) =>
        WebhookRuleUnion.Compute(policies
            .SelectMany(p => p.Spec.Match.Resources)
            .Select(r => new ResourceRule
            {
                ApiGroups = [.. r.ApiGroups.Where(g => g != ApiConstants.Group)],
                ApiVersions = r.ApiVersions,
                Resources = r.Resources,
                Operations = r.Operations,
            })
            .Where(r => r.ApiGroups.Count > 0)
            .Select(CompiledResourceRule.From));

    /// <summary>The gate: what the policies match, outside the excluded namespaces (the operator's own always).</summary>
    private static V1ValidatingWebhook Gate(
        WebhookConfigurationOptions options, WebhookTarget target, IEnumerable<ApprovalPolicy> policies, IEnumerable<string> excludedNamespaces)
    {
        var excluded = excludedNamespaces.Append(target.ServiceNamespace).Where(n => n.Length > 0).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        return new V1ValidatingWebhook
        {
            Name = WebhookNames.Gate,
            ClientConfig = target.For(WebhookNames.GatePath),
            Rules = [.. GateRules(policies).Select(ToWebhookRule)],
            NamespaceSelector = new V1LabelSelector
            {
                MatchExpressions = [new V1LabelSelectorRequirement { Key = NamespaceNameLabel, OperatorProperty = "NotIn", Values = excluded }],
            },
            ObjectSelector = new V1LabelSelector(),
            MatchConditions = [],
            // Dry runs are answered without side effects (nothing created or consumed).
            SideEffects = "NoneOnDryRun",
            FailurePolicy = options.FailurePolicy,
            TimeoutSeconds = options.TimeoutSeconds,
            MatchPolicy = "Equivalent",
            AdmissionReviewVersions = ReviewVersions,
        };
    }

    /// <summary>
    /// Helm release records (Secrets labelled <c>owner: helm</c>) where the gate applies, only while some Enforce policy
    /// exists: the gate asks for a revision's gated objects as one change set when Helm opens the revision. Only a
    /// convenience — each object is still gated when written — so it is narrowed to Helm's records by label, and other
    /// Secrets never wait on jit-admission.
    /// </summary>
    private static V1ValidatingWebhook Release(V1ValidatingWebhook gate, IEnumerable<ApprovalPolicy> policies) => new()
    {
        Name = WebhookNames.Release,
        ClientConfig = gate.ClientConfig,
        Rules = policies.Any(p => p.Spec.Enforcement == Enforcement.Enforce)
            ? [new V1RuleWithOperations { ApiGroups = [""], ApiVersions = ["v1"], Resources = ["secrets"], Operations = [Operations.Create], Scope = "Namespaced" }]
            : [],
        NamespaceSelector = gate.NamespaceSelector,
        ObjectSelector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["owner"] = "helm" } },
        MatchConditions = [],
        SideEffects = gate.SideEffects,
        FailurePolicy = gate.FailurePolicy,
        TimeoutSeconds = gate.TimeoutSeconds,
        MatchPolicy = "Equivalent",
        AdmissionReviewVersions = ReviewVersions,
    };

    /// <summary>The guard and the stamp: jit-admission's own resources, in every namespace, answered from memory, failing closed.</summary>
    private static V1ValidatingWebhook OwnResources(string name, string path, WebhookTarget target, params List<V1RuleWithOperations> rules) => new()
    {
        Name = name,
        ClientConfig = target.For(path),
        Rules = rules,
        NamespaceSelector = new V1LabelSelector(),
        ObjectSelector = new V1LabelSelector(),
        MatchConditions = [],
        SideEffects = "None",
        FailurePolicy = "Fail",
        TimeoutSeconds = GuardTimeoutSeconds,
        MatchPolicy = "Equivalent",
        AdmissionReviewVersions = ReviewVersions,
    };

    private static V1RuleWithOperations ToWebhookRule(ResourceRule rule) => new()
    {
        ApiGroups = [.. rule.ApiGroups],
        ApiVersions = [.. rule.ApiVersions],
        Resources = [.. rule.Resources],
        Operations = [.. rule.Operations],
        Scope = "*",
    };

    private static V1RuleWithOperations OwnRule(List<string> resources, List<string>? operations = null) => new()
    {
        ApiGroups = [ApiConstants.Group],
        ApiVersions = ["*"],
        Resources = resources,
        Operations = operations ?? [Operations.Create, Operations.Update],
        Scope = "*",
    };
}
