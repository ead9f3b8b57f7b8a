using System.Text.Json.Serialization;

namespace JitAdmission.Core.Api;

/// <summary>Namespaced: an approval for one change (Exact), object (Object) or policy (Grant).</summary>
public sealed class ApprovalRequest() : CustomObject<ApprovalRequestSpec, ApprovalRequestStatus>(ApiConstants.RequestKind);

public sealed class ApprovalRequestList() : CustomObjectList<ApprovalRequest>(ApiConstants.RequestKind + "List");

/// <summary>Immutable after creation except <see cref="Reviews"/>, which is append-only.</summary>
public sealed class ApprovalRequestSpec
{
    /// <summary>Names of the ApprovalPolicies whose approval requirements apply (all of them).</summary>
    [JsonPropertyName("policies")] public List<string> Policies { get; set; } = [];
    /// <summary>From the admission userInfo; for requests created ahead of time it must equal the creator.</summary>
    [JsonPropertyName("requester")] public Requester Requester { get; set; } = new();
    [JsonPropertyName("action")] public RequestedAction Action { get; set; } = new();
    /// <summary>sha256 of the normalized change; empty for Grant requests created ahead of time.</summary>
    [JsonPropertyName("fingerprint")] public string Fingerprint { get; set; } = "";
    [JsonPropertyName("scope")] public ApprovalScope Scope { get; set; } = ApprovalScope.Exact;
    [JsonPropertyName("reason")] public string Reason { get; set; } = "";
    /// <summary>Human-readable summary of the change for approvers (bounded).</summary>
    [JsonPropertyName("change")] public string Change { get; set; } = "";
    /// <summary>
    /// What the approval lets through (<see cref="Changes.ProposedObject"/>): the new object or the CONNECT options,
    /// Secret values hidden; absent for DELETE and large objects. Written only by jit-admission.
    /// </summary>
    [JsonPropertyName("object")] public System.Text.Json.JsonElement? Object { get; set; }
    /// <summary>The requester used break-glass: proceed now, review afterwards.</summary>
    [JsonPropertyName("breakGlass")] public bool BreakGlass { get; set; }
    /// <summary>
    /// The ApprovalRequest (same namespace) this one extends: same requester, policies, scope and action, approved and
    /// still in its window when the extension was created (docs/approvals.md "Extending a Grant").
    /// </summary>
    [JsonPropertyName("extends")] public string? Extends { get; set; }
    /// <summary>A window shorter than the policies' validFor (Go duration); never longer. Absent: the policies' validFor.</summary>
    [JsonPropertyName("validFor")] public string? ValidFor { get; set; }
    /// <summary>
    /// The policies' auto-approval rules that held for the call when jit-admission created the request; written only
    /// by jit-admission, never on break-glass. Absent on requests made ahead of time.
    /// </summary>
    [JsonPropertyName("autoApprovals")] public List<AutoApprovalRecord>? AutoApprovals { get; set; }
    /// <summary>Several objects approved together, each exactly (kubectl jit apply -f DIR); absent for one change.</summary>
    [JsonPropertyName("changeSet")] public ChangeSet? ChangeSet { get; set; }
    /// <summary>Append-only; one per reviewer. The webhook stamps groups and time from the reviewer's identity.</summary>
    [JsonPropertyName("reviews")] public List<Review> Reviews { get; set; } = [];
}

public sealed class Requester
{
    [JsonPropertyName("username")] public string Username { get; set; } = "";
    [JsonPropertyName("uid")] public string? Uid { get; set; }
    [JsonPropertyName("groups")] public List<string> Groups { get; set; } = [];
}

/// <summary>What is being done, as the API server described it to the webhook.</summary>
public sealed class RequestedAction
{
    /// <summary>CREATE, UPDATE, DELETE or CONNECT; <c>*</c> for Grant requests made ahead of time.</summary>
    [JsonPropertyName("operation")] public string Operation { get; set; } = "*";
    [JsonPropertyName("group")] public string Group { get; set; } = "";
    [JsonPropertyName("version")] public string Version { get; set; } = "";
    [JsonPropertyName("resource")] public string Resource { get; set; } = "";
    [JsonPropertyName("subResource")] public string? SubResource { get; set; }
    [JsonPropertyName("kind")] public string? Kind { get; set; }
    [JsonPropertyName("namespace")] public string? Namespace { get; set; }
    [JsonPropertyName("name")] public string? Name { get; set; }
}

public sealed class Review
{
    /// <summary>Must equal the username of whoever adds the review.</summary>
    [JsonPropertyName("reviewer")] public string Reviewer { get; set; } = "";
    [JsonPropertyName("decision")] public ReviewDecision Decision { get; set; } = ReviewDecision.Approve;
    [JsonPropertyName("comment")] public string? Comment { get; set; }
    /// <summary>Stamped by the webhook from the reviewer's admission userInfo; never trusted from the client.</summary>
    [JsonPropertyName("groups")] public List<string>? Groups { get; set; }
    /// <summary>Stamped by the webhook when the review is admitted.</summary>
    [JsonPropertyName("time")] public DateTime? Time { get; set; }
}
