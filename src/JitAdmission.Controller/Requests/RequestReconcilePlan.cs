using JitAdmission.Core.Api;
using JitAdmission.Core.Approval;

namespace JitAdmission.Controller.Requests;

/// <summary>
/// What one reconcile of an ApprovalRequest must do, decided purely from the request, its live policies, the time and
/// the retention: the status to write (null when nothing a reader can see would change), the announcement that write
/// makes (Event and notifications, once per state), when the finished request is to be deleted, and when to look again.
/// </summary>
public sealed record RequestReconcilePlan(
    ApprovalEvaluation Evaluation, ApprovalRequestStatus? StatusToWrite, string? Announcement, DateTimeOffset? DeleteAt)
{
    public static RequestReconcilePlan For(ApprovalRequest request, IReadOnlyList<ApprovalPolicy> policies, DateTimeOffset now, TimeSpan retention)
    {
        ArgumentNullException.ThrowIfNull(request);
        var evaluation = ApprovalEvaluator.Evaluate(request, policies, now);
        var desired = evaluation.ToStatus(request.Status, now);
        var announcement = ApprovalAnnouncements.For(evaluation);
        var announce = ApprovalAnnouncements.Recorded(desired) != announcement;
        if (announce) ApprovalAnnouncements.Record(desired, announcement, evaluation.ObservedGeneration, now);

        var write = ApprovalStatusComparer.Differs(request.Status, desired);
        var finishedAt = ApprovalAnnouncements.FinishedAt(write ? desired : request.Status);
        return new RequestReconcilePlan(
            evaluation,
            write ? desired : null,
            announce ? announcement : null,
            finishedAt is { } at ? Add(at, retention) : null);
    }

    /// <summary>
    /// When to reconcile again: at the next deadline (expiry, end of validity) or when the finished request is due for
    /// deletion, whichever comes first; null when nothing will change by itself.
    /// </summary>
    public TimeSpan? RequeueAfter(DateTimeOffset now)
    {
        DateTimeOffset? next = (Evaluation.NextDeadline, DeleteAt) switch
        {
            ({ } a, { } b) => a < b ? a : b,
            (var a, var b) => a ?? b,
        };
        return next is { } due ? (due > now ? due - now : TimeSpan.Zero) : null;
    }

    /// <summary>Whether the request is due for deletion now.</summary>
    public bool IsDueForDeletion(DateTimeOffset now) => DeleteAt is { } at && now >= at;

    private static DateTimeOffset? Add(DateTimeOffset at, TimeSpan retention)
    {
        if (retention <= TimeSpan.Zero) return at;
        // A retention too long to add (e.g. TimeSpan.MaxValue to keep everything) means never.
        return DateTimeOffset.MaxValue - at > retention ? at + retention : null;
    }
}
