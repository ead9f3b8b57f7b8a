namespace JitAdmission.Cli.PolicyTesting;

/// <summary>
/// What a case expects; only the fields given are compared, and at least one must be given. Lists are compared as
/// sets (policies, autoApprovedBy) or entry by entry by name (approvers).
/// </summary>
internal sealed record CaseExpectation
{
    public CaseOutcome? Outcome { get; init; }

    /// <summary>Whether any policy (Enforce, Warn or Audit) applies to the request.</summary>
    public bool? Gated { get; init; }

    /// <summary>The names of every policy that applies, whatever its enforcement.</summary>
    public IReadOnlyList<string>? Policies { get; init; }

    /// <summary>The strongest enforcement among the policies that apply (Enforce, then Warn, then Audit).</summary>
    public Enforcement? Enforcement { get; init; }

    /// <summary>The scope of the ApprovalRequest the gate would create.</summary>
    public ApprovalScope? Scope { get; init; }

    /// <summary>Every approver entry the request would need, as the webhook names them ("incident-stricter-approval/sre" when several policies stack).</summary>
    public IReadOnlyList<ExpectedApprover>? Approvers { get; init; }

    /// <summary>The auto-approval rules that hold ("policy/rule"), compared as a set; empty: no rule holds.</summary>
    public IReadOnlyList<string>? AutoApprovedBy { get; init; }

    /// <summary>Text that the webhook's message (a denial, or what approval is needed) or one of its warnings contains.</summary>
    public string? MessageContains { get; init; }

    public bool IsEmpty =>
        Outcome is null && Gated is null && Policies is null && Enforcement is null && Scope is null && Approvers is null && AutoApprovedBy is null
        && MessageContains is null;
}

/// <summary>An approver entry as a policy writes it: a name, users and/or groups, and how many approvals it needs.</summary>
internal sealed record ExpectedApprover(string Name, IReadOnlyList<string> Users, IReadOnlyList<string> Groups, int MinApprovals);
