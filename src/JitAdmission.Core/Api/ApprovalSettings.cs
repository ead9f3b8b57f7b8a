using System.Text.Json.Serialization;

namespace JitAdmission.Core.Api;

public sealed class ApprovalSettings
{
    /// <summary>Every entry must be satisfied (AND), each by distinct people.</summary>
    [JsonPropertyName("approvers")] public List<ApproverRule> Approvers { get; set; } = [];
    [JsonPropertyName("allowSelfApproval")] public bool AllowSelfApproval { get; set; }
    /// <summary>How long a request stays pending before it expires (Go duration).</summary>
    [JsonPropertyName("requestTTL")] public string RequestTtl { get; set; } = "1h";
    /// <summary>How long an approval can be used after it is granted (Go duration).</summary>
    [JsonPropertyName("validFor")] public string ValidFor { get; set; } = "15m";
    [JsonPropertyName("scope")] public ApprovalScope Scope { get; set; } = ApprovalScope.Exact;
    /// <summary>How often an approval can be used; default 1 for Exact, unlimited (0) for Object and Grant.</summary>
    [JsonPropertyName("maxUses")] public int? MaxUses { get; set; }
    /// <summary>How long the webhook holds a gated call waiting for approval (Go duration, at most 25s).</summary>
    [JsonPropertyName("wait")] public string Wait { get; set; } = "10s";
    /// <summary>Whether and how an Object or Grant approval can be extended; absent: never.</summary>
    [JsonPropertyName("extensions")] public ExtensionSettings? Extensions { get; set; }
    /// <summary>Rules that approve named entries on their own (docs/policies.md "Auto-approval"); empty: people only.</summary>
    [JsonPropertyName("autoApprove")] public List<AutoApprovalRule> AutoApprove { get; set; } = [];
}

public sealed class ApproverRule
{
    /// <summary>Shown in progress (e.g. "sre 1/1").</summary>
    [JsonPropertyName("name")] public string? Name { get; set; }
    [JsonPropertyName("users")] public List<string> Users { get; set; } = [];
    [JsonPropertyName("groups")] public List<string> Groups { get; set; } = [];
    [JsonPropertyName("minApprovals")] public int MinApprovals { get; set; } = 1;
}

/// <summary>Who may proceed at once with a justification; the request is recorded as BreakGlass for later review.</summary>
public sealed class BreakGlassSettings
{
    [JsonPropertyName("groups")] public List<string> Groups { get; set; } = [];
    [JsonPropertyName("users")] public List<string> Users { get; set; } = [];
}

/// <summary>An HTTP endpoint receiving Slack-compatible JSON (<c>{"text": …}</c>) for request events.</summary>
public sealed class NotificationTarget
{
    [JsonPropertyName("url")] public string Url { get; set; } = "";
    /// <summary>Pending, Approved, Denied, Expired, Consumed, BreakGlass; empty = all.</summary>
    [JsonPropertyName("events")] public List<RequestPhase> Events { get; set; } = [];
    /// <summary>
    /// Address the requester: the message starts with their chat handle, looked up by username in the ConfigMap
    /// <c>jit-admission-requesters</c> in jit-admission's namespace (admins' data, never the request's own text).
    /// </summary>
    [JsonPropertyName("mentionRequester")] public bool MentionRequester { get; set; }
}
