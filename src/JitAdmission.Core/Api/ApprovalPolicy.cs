using System.Text.Json.Serialization;

namespace JitAdmission.Core.Api;

/// <summary>Cluster-scoped: which requests are risky and what approval they need.</summary>
public sealed class ApprovalPolicy() : CustomObject<ApprovalPolicySpec, ApprovalPolicyStatus>(ApiConstants.PolicyKind);

public sealed class ApprovalPolicyList() : CustomObjectList<ApprovalPolicy>(ApiConstants.PolicyKind + "List");

public sealed class ApprovalPolicySpec
{
    /// <summary>Which requests the policy applies to. All parts must match.</summary>
    [JsonPropertyName("match")] public PolicyMatch Match { get; set; } = new();

    /// <summary>CEL conditions; the policy applies only when all evaluate to true.</summary>
    [JsonPropertyName("conditions")] public List<PolicyCondition> Conditions { get; set; } = [];

    /// <summary>When set, the policy applies only inside one of its windows.</summary>
    [JsonPropertyName("schedule")] public PolicySchedule? Schedule { get; set; }

    /// <summary>Live objects exposed to CEL as <c>context.NAME</c>.</summary>
    [JsonPropertyName("context")] public List<ContextReference> Context { get; set; } = [];

    [JsonPropertyName("approval")] public ApprovalSettings Approval { get; set; } = new();

    [JsonPropertyName("enforcement")] public Enforcement Enforcement { get; set; } = Enforcement.Enforce;

    [JsonPropertyName("breakGlass")] public BreakGlassSettings? BreakGlass { get; set; }

    [JsonPropertyName("notify")] public List<NotificationTarget> Notify { get; set; } = [];

    /// <summary>Shown to requesters in denial messages (e.g. where to ask for approval).</summary>
    [JsonPropertyName("message")] public string? Message { get; set; }
}

public sealed class PolicyCondition
{
    [JsonPropertyName("name")] public string Name { get; set; } = "";
    [JsonPropertyName("expression")] public string Expression { get; set; } = "";
}

public sealed class ContextReference
{
    /// <summary>CEL identifier under <c>context</c>.</summary>
    [JsonPropertyName("name")] public string Name { get; set; } = "";
    /// <summary>The ConfigMap exposed (as the whole object: <c>context.NAME.data.KEY</c>); null in CEL when absent.</summary>
    [JsonPropertyName("configMap")] public NamespacedName ConfigMap { get; set; } = new();
}

public sealed class NamespacedName
{
    [JsonPropertyName("namespace")] public string Namespace { get; set; } = "";
    [JsonPropertyName("name")] public string Name { get; set; } = "";

    public override string ToString() => $"{Namespace}/{Name}";
}

public sealed class ApprovalPolicyStatus
{
    [JsonPropertyName("observedGeneration")] public long? ObservedGeneration { get; set; }
    [JsonPropertyName("conditions")] public List<V1Condition> Conditions { get; set; } = [];
    [JsonPropertyName("pendingRequests")] public int PendingRequests { get; set; }
    [JsonPropertyName("approvedRequests")] public int ApprovedRequests { get; set; }
}
