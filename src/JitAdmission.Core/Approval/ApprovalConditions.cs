namespace JitAdmission.Core.Approval;

/// <summary>Condition types and reasons on ApprovalRequest status.</summary>
public static class ApprovalConditions
{
    /// <summary>True once the approval was granted (Approved, Consumed, or a break-glass request whose review approved it).</summary>
    public const string Approved = "Approved";
    /// <summary>Break-glass only: True once the after-the-fact review met the requirements; False/Rejected on a Deny.</summary>
    public const string Reviewed = "Reviewed";
    /// <summary>Written by the controller: what it last announced (see <see cref="ApprovalAnnouncements"/>).</summary>
    public const string Announced = "Announced";
    /// <summary>Written by the controller: the phase whose end it last announced as Expiring (see <see cref="ApprovalExpiry"/>).</summary>
    public const string ExpiryAnnounced = "ExpiryAnnounced";

    public const string ReasonPending = "Pending";
    public const string ReasonApproved = "Approved";
    public const string ReasonDenied = "Denied";
    public const string ReasonExpired = "Expired";
    public const string ReasonConsumed = "Consumed";
    public const string ReasonPolicyMissing = "PolicyMissing";
    public const string ReasonUnsatisfiable = "Unsatisfiable";
    public const string ReasonBreakGlass = "BreakGlass";
    public const string ReasonAwaitingReview = "AwaitingReview";
    public const string ReasonRejected = "Rejected";

    internal static (bool Status, string Reason) ApprovedCondition(ApprovalEvaluation e) => e.Phase switch
    {
        RequestPhase.Approved => (true, ReasonApproved),
        RequestPhase.Consumed => (true, ReasonConsumed),
        RequestPhase.Denied => (false, ReasonDenied),
        RequestPhase.Expired => (false, ReasonExpired),
        RequestPhase.BreakGlass => (e.BreakGlassReview == BreakGlassReview.Approved, ReasonBreakGlass),
        _ when e.MissingPolicies.Count > 0 => (false, ReasonPolicyMissing),
        _ when !e.Effective.CanBeSatisfied => (false, ReasonUnsatisfiable),
        _ => (false, ReasonPending),
    };

    internal static (bool Status, string Reason) ReviewedCondition(ApprovalEvaluation e) => e.BreakGlassReview switch
    {
        BreakGlassReview.Approved => (true, ReasonApproved),
        BreakGlassReview.Rejected => (false, ReasonRejected),
        _ => (false, ReasonAwaitingReview),
    };
}
