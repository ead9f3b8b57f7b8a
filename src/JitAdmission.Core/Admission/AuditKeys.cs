namespace JitAdmission.Core.Admission;

/// <summary>The bare audit annotation keys the gate writes; the API server records them as
/// <c>gate.jitadmission.io/&lt;key&gt;</c>.</summary>
public static class AuditKeys
{
    /// <summary>namespace/name of the ApprovalRequest used, created or held on.</summary>
    public const string Request = "request";
    /// <summary>Who approved the request that let the change through.</summary>
    public const string Approvers = "approvers";
    /// <summary>The policies that matched.</summary>
    public const string Policies = "policies";
    public const string Outcome = "outcome";
}
