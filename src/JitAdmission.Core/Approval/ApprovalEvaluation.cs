namespace JitAdmission.Core.Approval;

/// <summary>How a break-glass request's after-the-fact review stands.</summary>
public enum BreakGlassReview
{
    /// <summary>Not a break-glass request.</summary>
    None,
    Pending,
    Approved,
    Rejected,
}

/// <summary>
/// Everything the webhook (hold, consume) and the controller (status) need to know about one ApprovalRequest at one
/// moment. Produced only by <see cref="ApprovalEvaluator.Evaluate"/>.
/// </summary>
public sealed class ApprovalEvaluation
{
    internal ApprovalEvaluation(ApprovalMessageFacts messageFacts) => MessageFacts = messageFacts;

    public required RequestPhase Phase { get; init; }
    /// <summary>creationTimestamp + requestTTL: a request not approved before this expires.</summary>
    public required DateTimeOffset ExpiresAt { get; init; }
    public DateTimeOffset? ApprovedAt { get; init; }
    /// <summary>ApprovedAt + validFor: the approval cannot be used at or after this instant.</summary>
    public DateTimeOffset? ValidUntil { get; init; }
    public int Uses { get; init; }
    /// <summary>0 = unlimited within the window.</summary>
    public int MaxUses { get; init; }
    public required List<RequirementStatus> Requirements { get; init; }
    /// <summary>Every review in order; those not counted carry an <see cref="DecisionRecord.IgnoredReason"/>.</summary>
    public required List<DecisionRecord> Decisions { get; init; }
    /// <summary>People whose approval is counted (in at least one policy's requirements).</summary>
    public int Have { get; init; }
    /// <summary>
    /// <see cref="Have"/> plus the seats still open over every policy's entries: the most people still needed. With one
    /// policy it is the sum of its entries' minApprovals; with several it shrinks when one person fills seats in two.
    /// </summary>
    public int Need { get; init; }
    /// <summary>
    /// "have/need" ("1/2"): unlike "satisfied entries/entries" it moves with every counted approval, also for an entry
    /// that needs two people, which is what an approver watching the request wants to see. Equal exactly when the
    /// requirements are met.
    /// </summary>
    public string Progress => $"{Have}/{Need}";
    /// <summary>For people reading it now: relative times ("expires in 59m").</summary>
    public required string Message { get; init; }
    /// <summary>For the status: absolute times only, so it does not change between reconciles.</summary>
    public required string StatusMessage { get; init; }
    /// <summary>Policies the request names that do not exist (the request cannot be approved while any is missing).</summary>
    public required IReadOnlyList<string> MissingPolicies { get; init; }
    /// <summary>When the phase changes by itself next (expiry or end of validity); null when it will not.</summary>
    public DateTimeOffset? NextDeadline { get; init; }
    /// <summary>Approved or BreakGlass, inside the validity window, uses left (and, for break-glass, not rejected).</summary>
    public bool IsUsable { get; init; }
    /// <summary>Every requirement is met by counted approvals and nothing makes the request unsatisfiable.</summary>
    public bool RequirementsMet { get; init; }
    /// <summary>The first counted Deny, if any.</summary>
    public DecisionRecord? DeniedBy { get; init; }
    /// <summary>Reviewers whose approvals are counted, in review order.</summary>
    public required IReadOnlyList<string> ApprovedBy { get; init; }
    public BreakGlassReview BreakGlassReview { get; init; }
    public required EffectiveApproval Effective { get; init; }
    /// <summary>Display form: "UPDATE deployments/web".</summary>
    public required string Action { get; init; }
    public long? ObservedGeneration { get; init; }
    /// <summary>The request this one extends, when it is approved automatically as its extension (no reviews needed).</summary>
    public string? ApprovedByExtension { get; init; }

    /// <summary>The request approves a change set (each object used once; <see cref="MaxUses"/> is their number).</summary>
    public bool IsChangeSet { get; init; }

    /// <summary>What the messages were made from (also when a finished request keeps its recorded message), to re-render them after a use or for an announcement.</summary>
    internal ApprovalMessageFacts MessageFacts { get; }

    public bool IsFinished => Phase is RequestPhase.Denied or RequestPhase.Expired or RequestPhase.Consumed;

    /// <summary>
    /// What an announcement says happened. Usually the status message; but an Approved announced after the held call
    /// already used the approval (Pending straight to Consumed) says who approved, not that it is spent.
    /// </summary>
    public string MessageFor(string announcement) =>
        announcement == ApprovalAnnouncements.Approved && Phase != RequestPhase.Approved && ValidUntil is not null
            ? ApprovalMessages.ApprovalForStatus(MessageFacts)
            : StatusMessage;

    /// <summary>Why no reviews can approve the request as it stands (a missing policy, too few approvers); empty when they can.</summary>
    public IReadOnlyList<string> Blockers => ApprovalMessages.Blockers(MessageFacts);

    /// <summary>Per-requirement progress for people: "sre 1/1, security 0/1".</summary>
    public string RequirementsText => ApproverText.Progress(Requirements);

    /// <summary>
    /// The status to write: phase, times, requirements, decisions and messages from this evaluation; uses and usage kept
    /// from <paramref name="current"/>; conditions' lastTransitionTime kept when their status did not change.
    /// </summary>
    public ApprovalRequestStatus ToStatus(ApprovalRequestStatus? current, DateTimeOffset now) =>
        ApprovalStatusWriter.Write(this, current, now);
}
