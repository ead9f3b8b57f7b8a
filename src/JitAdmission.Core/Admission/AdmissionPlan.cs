namespace JitAdmission.Core.Admission;

/// <summary>
/// What the gate must do next for one admission request, as decided by <see cref="AdmissionEngine.Plan"/>. Only
/// <see cref="DecidedPlan"/> is final; <see cref="Gate.GateMachine"/> carries out the others (an API write or a wait)
/// and plans again from what it observed, so every decision stays a pure function while the webhook does the I/O.
/// </summary>
public abstract record AdmissionPlan
{
    /// <summary>Warnings for the client (Warn policies, an ignored break-glass annotation) carried into the final verdict.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>Warn and Audit policies that matched, recorded in the audit annotations.</summary>
    public IReadOnlyList<string> AdvisoryPolicies { get; init; } = [];
}

/// <summary>Answer at once: allowed (nothing gated, dry run, operator) or denied (policy error, denial, bad break-glass).</summary>
public sealed record DecidedPlan(AdmissionVerdict Verdict) : AdmissionPlan;

/// <summary>A usable approval covers the request: record one use with an optimistic-concurrency status write, then allow.</summary>
public sealed record ConsumePlan(AdmissionGate Gate, ApprovalRequest Approval, ApprovalEvaluation Evaluation) : AdmissionPlan
{
    /// <summary>For a change set: the entry used (its fingerprint goes into <c>status.usedObjects</c>); the gate's fingerprint when null.</summary>
    public string? UsedEntry { get; init; }
}

/// <summary>No approval yet: create <see cref="Request"/> (deterministic name), then hold the call up to <see cref="Wait"/>.</summary>
public sealed record CreatePlan(AdmissionGate Gate, ApprovalRequest Request, TimeSpan Wait, UsedApproval? PreviouslyUsed) : AdmissionPlan;

/// <summary>A Pending request for this change exists: hold the call on it up to <see cref="Wait"/>.</summary>
public sealed record HoldPlan(AdmissionGate Gate, ApprovalRequest Request, ApprovalEvaluation Evaluation, TimeSpan Wait, UsedApproval? PreviouslyUsed)
    : AdmissionPlan;

/// <summary>A break-glass subject proceeds at once; <see cref="Record"/> is created unless it <see cref="Exists"/> (a retry).</summary>
public sealed record BreakGlassPlan(AdmissionGate Gate, ApprovalRequest Record, bool Exists) : AdmissionPlan;

/// <summary>Why a request is gated: the matched Enforce policies, what they ask for together, and where its request lives.</summary>
public sealed record AdmissionGate(IReadOnlyList<ApprovalPolicy> Policies, EffectiveApproval Effective, string Fingerprint, string RequestNamespace)
{
    public IReadOnlyList<string> PolicyNames { get; } = [.. Policies.Select(p => p.Metadata?.Name ?? "")];
}

/// <summary>The spent approval an earlier identical change used (for "already used; a new approval is needed").</summary>
public sealed record UsedApproval(ApprovalRequest Request, ApprovalEvaluation Evaluation);
