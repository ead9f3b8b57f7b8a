namespace JitAdmission.Controller.Requests;

/// <summary>
/// What one reconcile of an ApprovalRequest must do, decided purely from the request, its live policies, the time and
/// the retention: the status to write (null when nothing a reader can see would change), the announcements that write
/// makes (Event and notifications, once per state), whether it also announces that the state is about to run out
/// (<see cref="ApprovalExpiry.Expiring"/>, once per window), when the finished request is to be deleted, when to look
/// again, and until when a fresh approval is left to a call held on it.
/// </summary>
public sealed record RequestReconcilePlan(
    ApprovalEvaluation Evaluation, ApprovalRequestStatus? StatusToWrite, IReadOnlyList<string> Announcements, DateTimeOffset? DeleteAt,
    DateTimeOffset? FirstUseLeftUntil = null, bool Expiring = false, DateTimeOffset? ExpiringAt = null)
{
    /// <summary>
    /// How long after an approval the controller leaves its status to a call held on the request, which writes the
    /// same status with its use: two writers on the approving review make one of them lose a round trip, and the
    /// held call's user waits for it. Bounded, so a call that never records its use delays the status by this much.
    /// </summary>
    public static readonly TimeSpan HeldCallGrace = TimeSpan.FromSeconds(1);

    /// <param name="expiringNotice">How long before a window ends its Expiring announcement is made (shortened for short
    /// windows, see <see cref="ApprovalExpiry.Lead"/>); zero: never.</param>
    public static RequestReconcilePlan For(
        ApprovalRequest request, IReadOnlyList<ApprovalPolicy> policies, DateTimeOffset now, TimeSpan retention, TimeSpan expiringNotice = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var evaluation = ApprovalEvaluator.Evaluate(request, policies, now);
        var desired = evaluation.ToStatus(request.Status, now);
        var announcements = ApprovalAnnouncements.Due(ApprovalAnnouncements.Recorded(desired), evaluation);
        if (announcements.Count > 0) ApprovalAnnouncements.Record(desired, announcements[^1], evaluation.ObservedGeneration, now);
        // Recorded in the same write as any other announcement, so the status says it was made exactly when it was.
        var expiring = ApprovalExpiry.IsDue(evaluation, desired, expiringNotice, now);
        if (expiring) ApprovalExpiry.Record(desired, evaluation, now);

        var write = ApprovalStatusComparer.Differs(request.Status, desired);
        var finishedAt = ApprovalAnnouncements.FinishedAt(write ? desired : request.Status);
        return new RequestReconcilePlan(
            evaluation,
            write ? desired : null,
            write ? announcements : [],
            finishedAt is { } at ? Add(at, retention) : null,
            write ? FirstUseWindow(request.Status, evaluation, now) : null,
            write && expiring,
            ApprovalExpiry.NextAt(evaluation, write ? desired : request.Status, expiringNotice, now));
    }

    /// <summary>The last announcement this plan makes (the one the status records), or null.</summary>
    public string? Announcement => Announcements.Count == 0 ? null : Announcements[^1];

    /// <summary>
    /// While a held call may still take the first use of an approval that is news (unused, not yet in the status,
    /// given within <see cref="HeldCallGrace"/>): the end of that window, else null.
    /// </summary>
    private static DateTimeOffset? FirstUseWindow(ApprovalRequestStatus? current, ApprovalEvaluation evaluation, DateTimeOffset now)
    {
        if (evaluation is not { Phase: RequestPhase.Approved, IsUsable: true, Uses: 0, ApprovedAt: { } approvedAt }) return null;
        if (current?.Phase is RequestPhase.Approved) return null;
        // A clock ahead of the stamping replica's must not stretch the window.
        var end = (approvedAt < now ? approvedAt : now) + HeldCallGrace;
        return now < end ? end : null;
    }

    /// <summary>
    /// When to reconcile again: at the next deadline (expiry, end of validity), when the Expiring announcement is due,
    /// or when the finished request is due for deletion, whichever comes first; null when nothing will change by itself.
    /// </summary>
    public TimeSpan? RequeueAfter(DateTimeOffset now)
    {
        var next = Earliest(Earliest(Evaluation.NextDeadline, ExpiringAt), DeleteAt);
        return next is { } due ? (due > now ? due - now : TimeSpan.Zero) : null;
    }

    private static DateTimeOffset? Earliest(DateTimeOffset? a, DateTimeOffset? b) => (a, b) switch
    {
        ({ } x, { } y) => x < y ? x : y,
        _ => a ?? b,
    };

    /// <summary>Whether the request is due for deletion now.</summary>
    public bool IsDueForDeletion(DateTimeOffset now) => DeleteAt is { } at && now >= at;

    private static DateTimeOffset? Add(DateTimeOffset at, TimeSpan retention)
    {
        if (retention <= TimeSpan.Zero) return at;
        // A retention too long to add (e.g. TimeSpan.MaxValue to keep everything) means never.
        return DateTimeOffset.MaxValue - at > retention ? at + retention : null;
    }
}
