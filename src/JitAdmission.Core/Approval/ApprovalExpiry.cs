namespace JitAdmission.Core.Approval;

/// <summary>
/// The <see cref="Expiring"/> announcement: a pending request, or an approval, is about to run out. It is made once per
/// window — once while the request is Pending (before it expires unreviewed) and once while it is Approved (before
/// its validity ends) — and recorded in the status as the condition <see cref="ApprovalConditions.ExpiryAnnounced"/>
/// whose reason is the phase it was made for. Like <see cref="ApprovalAnnouncements"/> it lives in the API server, so a
/// resync, a restart or a new leader never makes it twice. Break-glass records and finished requests never get one.
/// </summary>
public static class ApprovalExpiry
{
    public const string Expiring = "Expiring";

    /// <summary>How long before the end the announcement is made, unless the window is short (see <see cref="Lead"/>).</summary>
    public static readonly TimeSpan DefaultNotice = TimeSpan.FromMinutes(10);

    /// <summary>A window shorter than five notices is announced its last fifth before the end (a 15m approval: 3m before).</summary>
    public const int ShortWindowShare = 5;

    /// <summary>How long before the end of a window of this length the announcement is made; zero when it is off.</summary>
    public static TimeSpan Lead(TimeSpan window, TimeSpan notice)
    {
        if (notice <= TimeSpan.Zero || window <= TimeSpan.Zero) return TimeSpan.Zero;
        var share = window / ShortWindowShare;
        return share < notice ? share : notice;
    }

    /// <summary>When the announcement is due for this state, and when its window ends; null for a state that does not run out.</summary>
    public static (DateTimeOffset At, DateTimeOffset End)? Schedule(ApprovalEvaluation evaluation, TimeSpan notice)
    {
        ArgumentNullException.ThrowIfNull(evaluation);
        (DateTimeOffset Start, DateTimeOffset End)? window = evaluation switch
        {
            { Phase: RequestPhase.Pending } e => (e.ExpiresAt - e.Effective.RequestTtl, e.ExpiresAt),
            { Phase: RequestPhase.Approved, ApprovedAt: { } start, ValidUntil: { } end } => (start, end),
            _ => null, // break-glass records, finished requests: nothing to warn about
        };
        if (window is not var (from, to)) return null;
        var lead = Lead(to - from, notice);
        return lead <= TimeSpan.Zero ? null : (to - lead, to);
    }

    /// <summary>
    /// Whether the announcement is due now: inside the last stretch of the window, and not yet made for this phase
    /// according to <paramref name="status"/> (the status about to be written, which keeps recorded conditions).
    /// </summary>
    public static bool IsDue(ApprovalEvaluation evaluation, ApprovalRequestStatus? status, TimeSpan notice, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(evaluation);
        if (Schedule(evaluation, notice) is not var (at, end)) return false;
        return now >= at && now < end && Announced(status) != evaluation.Phase.ToString();
    }

    /// <summary>
    /// When to look again for the announcement: its time when still ahead and not yet made for this phase, else null.
    /// </summary>
    public static DateTimeOffset? NextAt(ApprovalEvaluation evaluation, ApprovalRequestStatus? status, TimeSpan notice, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(evaluation);
        if (Schedule(evaluation, notice) is not var (at, _)) return null;
        return at > now && Announced(status) != evaluation.Phase.ToString() ? at : null;
    }

    /// <summary>The phase the announcement was last made for, or null.</summary>
    public static string? Announced(ApprovalRequestStatus? status) =>
        status?.Conditions.FirstOrDefault(c => c.Type == ApprovalConditions.ExpiryAnnounced)?.Reason;

    /// <summary>Records the announcement as made now for the evaluated phase.</summary>
    public static void Record(ApprovalRequestStatus status, ApprovalEvaluation evaluation, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(status);
        ArgumentNullException.ThrowIfNull(evaluation);
        var phase = evaluation.Phase.ToString();
        var condition = new V1Condition
        {
            Type = ApprovalConditions.ExpiryAnnounced,
            Status = "True",
            Reason = phase,
            Message = $"{Expiring} ({phase}): Event recorded and notifications sent",
            ObservedGeneration = evaluation.ObservedGeneration,
            LastTransitionTime = TimeText.ToApi(now),
        };
        var index = status.Conditions.FindIndex(c => c.Type == ApprovalConditions.ExpiryAnnounced);
        if (index < 0) status.Conditions.Add(condition);
        else status.Conditions[index] = condition;
    }

    /// <summary>
    /// What runs out and what is left, for Events, notifications and <c>kubectl jit</c>: "expires in 9m (at …Z) unless
    /// approved; waits for 1 of sre (group sre)" or "the approval by bob ends in 3m (at …Z); 1 use left".
    /// </summary>
    public static string Describe(ApprovalEvaluation evaluation, DateTimeOffset? now)
    {
        ArgumentNullException.ThrowIfNull(evaluation);
        if (evaluation.Phase == RequestPhase.Approved && evaluation.ValidUntil is { } until)
            return $"the approval by {string.Join(", ", evaluation.ApprovedBy)} ends {When(until, now)}; {UsesLeft(evaluation)}";
        return $"expires {When(evaluation.ExpiresAt, now)} unless approved; {Waiting(evaluation)}";
    }

    /// <summary>
    /// What a pending request waits on: "waits for 1 of sre (group sre, user carol)", or why nothing it waits for can
    /// come ("cannot be approved: policy "prod" no longer exists").
    /// </summary>
    public static string Waiting(ApprovalEvaluation evaluation)
    {
        ArgumentNullException.ThrowIfNull(evaluation);
        var blockers = evaluation.Blockers;
        return blockers.Count > 0
            ? "cannot be approved: " + string.Join("; ", blockers)
            : "waits for " + ApproverText.Outstanding(evaluation.Requirements, evaluation.Effective);
    }

    /// <summary>"1 use left", "3 uses left", or "any number of uses".</summary>
    public static string UsesLeft(ApprovalEvaluation evaluation)
    {
        ArgumentNullException.ThrowIfNull(evaluation);
        return UsesLeft(evaluation.MaxUses, evaluation.Uses);
    }

    /// <summary><see cref="UsesLeft(ApprovalEvaluation)"/> from a status' figures (maxUses 0: unlimited).</summary>
    public static string UsesLeft(int maxUses, int uses)
    {
        if (maxUses <= 0) return "any number of uses";
        var left = Math.Max(0, maxUses - uses);
        return left == 1 ? "1 use left" : $"{left} uses left";
    }

    /// <summary>"in 9m (at …Z)"; without a clock (a message rendered later), "at …Z".</summary>
    private static string When(DateTimeOffset end, DateTimeOffset? now) =>
        now is { } n ? $"in {TimeText.Relative(end - n)} (at {TimeText.Absolute(end)})" : $"at {TimeText.Absolute(end)}";
}
