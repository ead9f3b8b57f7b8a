namespace JitAdmission.Cli.PolicyTesting;

/// <summary>What jit-admission answers a request when no approval exists yet.</summary>
internal enum CaseOutcome
{
    /// <summary>Let through: no policy applies, only Audit policies do, or it is a dry run.</summary>
    Allowed,
    /// <summary>Let through with a warning: only Warn policies apply (or a Warn/Audit policy failed to evaluate).</summary>
    Warned,
    /// <summary>Held until approved: an ApprovalRequest is created and the approvers listed must approve.</summary>
    NeedsApproval,
    /// <summary>
    /// Let through at once: the request the gate creates is approved at creation, because auto-approval rules that hold
    /// satisfy every approver entry; the webhook uses it in the same call.
    /// </summary>
    AutoApproved,
    /// <summary>Let through at once by a break-glass subject's annotation, and recorded for review.</summary>
    BreakGlass,
    /// <summary>Refused outright: an Enforce policy failed to evaluate (fails closed), or a break-glass annotation without a reason.</summary>
    Denied,
}
