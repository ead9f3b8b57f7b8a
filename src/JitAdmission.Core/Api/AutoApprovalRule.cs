using System.Text.Json.Serialization;

namespace JitAdmission.Core.Api;

/// <summary>
/// Policy <c>approval.autoApprove[]</c>: a CEL rule that, when it holds for a gated call, satisfies the approver
/// entries it names in place of people (docs/policies.md "Auto-approval"). Never for break-glass; only on calls the
/// API server authenticated.
/// </summary>
public sealed class AutoApprovalRule
{
    /// <summary>Recorded on the request it approved and shown to approvers ("on-call").</summary>
    [JsonPropertyName("name")] public string Name { get; set; } = "";
    /// <summary>Names of this policy's approver entries the rule satisfies; the others still need people.</summary>
    [JsonPropertyName("approves")] public List<string> Approves { get; set; } = [];
    /// <summary>CEL over the same variables as the policy's conditions; true approves, false or an error does not.</summary>
    [JsonPropertyName("rule")] public string Rule { get; set; } = "";
}

/// <summary>
/// Request <c>spec.autoApprovals[]</c>: which policy's rule approved which entries when jit-admission created the
/// request. Written only by jit-admission; counted only while the live policy still has the rule approving them.
/// </summary>
public sealed class AutoApprovalRecord
{
    [JsonPropertyName("policy")] public string Policy { get; set; } = "";
    [JsonPropertyName("rule")] public string Rule { get; set; } = "";
    [JsonPropertyName("approves")] public List<string> Approves { get; set; } = [];
}
