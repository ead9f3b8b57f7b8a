using System.Text.Json.Serialization;

namespace JitAdmission.Core.Api;

/// <summary>Written only by jit-admission (controller, and the webhook when it consumes a use).</summary>
public sealed class ApprovalRequestStatus
{
    [JsonPropertyName("phase")] public RequestPhase? Phase { get; set; }
    /// <summary>Display form for printer columns: "UPDATE deployments/web".</summary>
    [JsonPropertyName("action")] public string? Action { get; set; }
    /// <summary>Display form for printer columns: "1/2".</summary>
    [JsonPropertyName("approvals")] public string? Approvals { get; set; }
    [JsonPropertyName("expiresAt")] public DateTime? ExpiresAt { get; set; }
    [JsonPropertyName("approvedAt")] public DateTime? ApprovedAt { get; set; }
    [JsonPropertyName("validUntil")] public DateTime? ValidUntil { get; set; }
    [JsonPropertyName("uses")] public int Uses { get; set; }
    /// <summary>0 = unlimited within the window.</summary>
    [JsonPropertyName("maxUses")] public int MaxUses { get; set; }
    [JsonPropertyName("requirements")] public List<RequirementStatus> Requirements { get; set; } = [];
    /// <summary>Durable audit trail: the counted decisions, with who and when.</summary>
    [JsonPropertyName("decisions")] public List<DecisionRecord> Decisions { get; set; } = [];
    /// <summary>The last uses of the approval (bounded).</summary>
    [JsonPropertyName("usage")] public List<UsageRecord> Usage { get; set; } = [];
    /// <summary>For a change set: the fingerprints of the objects already let through (each object is used once).</summary>
    [JsonPropertyName("usedObjects")] public List<string>? UsedObjects { get; set; }
    [JsonPropertyName("message")] public string? Message { get; set; }
    [JsonPropertyName("observedGeneration")] public long? ObservedGeneration { get; set; }
    [JsonPropertyName("conditions")] public List<V1Condition> Conditions { get; set; } = [];
}

public sealed class RequirementStatus
{
    [JsonPropertyName("name")] public string Name { get; set; } = "";
    [JsonPropertyName("need")] public int Need { get; set; }
    [JsonPropertyName("have")] public int Have { get; set; }
    [JsonPropertyName("approvedBy")] public List<string> ApprovedBy { get; set; } = [];
    [JsonPropertyName("satisfied")] public bool Satisfied { get; set; }
    /// <summary>The auto-approval rule that satisfied the entry in place of people ("policy/rule"), if one did.</summary>
    [JsonPropertyName("approvedByRule")] public string? ApprovedByRule { get; set; }
}

public sealed class DecisionRecord
{
    [JsonPropertyName("reviewer")] public string Reviewer { get; set; } = "";
    [JsonPropertyName("decision")] public ReviewDecision Decision { get; set; }
    [JsonPropertyName("comment")] public string? Comment { get; set; }
    [JsonPropertyName("time")] public DateTime? Time { get; set; }
    /// <summary>Why the review was not counted (self-approval, not an eligible approver), if so.</summary>
    [JsonPropertyName("ignoredReason")] public string? IgnoredReason { get; set; }
}

public sealed class UsageRecord
{
    [JsonPropertyName("time")] public DateTime Time { get; set; }
    /// <summary>The admission request uid that used the approval.</summary>
    [JsonPropertyName("admissionUid")] public string AdmissionUid { get; set; } = "";
    [JsonPropertyName("operation")] public string Operation { get; set; } = "";
    [JsonPropertyName("by")] public string By { get; set; } = "";
}
