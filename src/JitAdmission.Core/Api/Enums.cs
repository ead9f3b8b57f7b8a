using System.Text.Json.Serialization;

namespace JitAdmission.Core.Api;

/// <summary>What an approval covers once granted.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ApprovalScope>))]
public enum ApprovalScope
{
    /// <summary>This exact change (same fingerprint); single use by default.</summary>
    Exact,
    /// <summary>Any change by the same requester to the same object within the window.</summary>
    Object,
    /// <summary>Any action the policy matches, by the same requester, within the window (JIT elevation).</summary>
    Grant,
}

[JsonConverter(typeof(JsonStringEnumConverter<Enforcement>))]
public enum Enforcement
{
    /// <summary>Hold or deny until approved.</summary>
    Enforce,
    /// <summary>Allow, add a warning for the client, record in the audit annotations.</summary>
    Warn,
    /// <summary>Allow silently, record in the audit annotations.</summary>
    Audit,
}

[JsonConverter(typeof(JsonStringEnumConverter<RequestPhase>))]
public enum RequestPhase
{
    Pending,
    Approved,
    Denied,
    Expired,
    Consumed,
    BreakGlass,
}

[JsonConverter(typeof(JsonStringEnumConverter<ReviewDecision>))]
public enum ReviewDecision
{
    Approve,
    Deny,
}

[JsonConverter(typeof(JsonStringEnumConverter<SubjectKind>))]
public enum SubjectKind
{
    User,
    Group,
    ServiceAccount,
}
