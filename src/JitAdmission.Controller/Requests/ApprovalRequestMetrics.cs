using Prometheus;

namespace JitAdmission.Controller.Requests;

/// <summary>
/// Prometheus series of ApprovalRequest transitions, recorded from the announcements of a status write the controller
/// made. Each announcement is made once per request (the Announced condition lives in the API server and the write is
/// optimistic), so a resync, a restart or a new leader never counts a transition twice; and durations come from the
/// request's own timestamps (creation, review stamps, approvedAt), not from when a controller happened to look.
/// Labels stay bounded: outcomes and expiry kinds are fixed sets, policies are the cluster's ApprovalPolicies (a request
/// naming two policies counts under each); the histograms carry no policy label, which would multiply their buckets.
/// </summary>
public sealed class ApprovalRequestMetrics
{
    /// <summary>Expired before it was approved.</summary>
    public const string ExpiredPending = "pending";
    /// <summary>Approved, and the approval ended without a single use.</summary>
    public const string ExpiredUnused = "unused";
    /// <summary>Approved and used at least once, and the window ended with uses left (e.g. a Grant).</summary>
    public const string ExpiredUsed = "used";

    /// <summary>From ten seconds (someone was watching) to a week (a request left over a weekend and then some).</summary>
    internal static readonly double[] ReviewBuckets =
        [10, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400, 28800, 86400, 172800, 604800];

    private readonly Counter _requests;
    private readonly Counter _expiries;
    private readonly Counter _breakGlass;
    private readonly Histogram _firstReview;
    private readonly Histogram _decision;

    public ApprovalRequestMetrics(CollectorRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        var factory = Metrics.WithCustomRegistry(registry);
        _requests = factory.CreateCounter("jitadmission_approval_requests_total",
            "ApprovalRequests by the states they went through, each once per request (pending or breakglass: opened; approved, denied, expired, consumed, reviewed, review_rejected), per named policy.",
            new CounterConfiguration { LabelNames = ["outcome", "policy"] });
        _expiries = factory.CreateCounter("jitadmission_approval_expiries_total",
            "ApprovalRequests that expired, per named policy, by kind: pending (never approved), unused (approved, never used), used (approved, used, window ended).",
            new CounterConfiguration { LabelNames = ["policy", "kind"] });
        _breakGlass = factory.CreateCounter("jitadmission_breakglass_total",
            "Break-glass ApprovalRequests announced, per named policy.",
            new CounterConfiguration { LabelNames = ["policy"] });
        _firstReview = factory.CreateHistogram("jitadmission_approval_time_to_first_review_seconds",
            "From an ApprovalRequest's creation to its first review, observed once the request is decided, expires or (break-glass) is reviewed.",
            new HistogramConfiguration { Buckets = ReviewBuckets });
        _decision = factory.CreateHistogram("jitadmission_approval_time_to_decision_seconds",
            "From an ApprovalRequest's creation to its approval or denial, by decision.",
            new HistogramConfiguration { LabelNames = ["decision"], Buckets = ReviewBuckets });
    }

    /// <summary>
    /// Records what a written status announced. Call once per successful write, with the announcement the request had
    /// before it (<paramref name="previous"/>, from the status the write replaced) and the write's announcements in order.
    /// </summary>
    public void Record(ApprovalRequest request, string? previous, IReadOnlyList<string> announcements, ApprovalEvaluation evaluation)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(announcements);
        ArgumentNullException.ThrowIfNull(evaluation);
        if (announcements.Count == 0) return;
        var policies = request.Spec.Policies.Where(p => !string.IsNullOrEmpty(p)).Distinct(StringComparer.Ordinal).ToList();
        var created = TimeText.FromApi(request.Metadata.CreationTimestamp);

        foreach (var announcement in Transitions(request, previous, announcements))
        {
            var outcome = OutcomeLabel(announcement);
            foreach (var policy in policies) _requests.WithLabels(outcome, policy).Inc();
            if (announcement == ApprovalAnnouncements.BreakGlass)
            {
                foreach (var policy in policies) _breakGlass.WithLabels(policy).Inc();
            }
            else if (announcement == ApprovalAnnouncements.Expired)
            {
                var kind = ExpiryKind(evaluation);
                foreach (var policy in policies) _expiries.WithLabels(policy, kind).Inc();
            }
        }

        if (created is not { } origin) return; // the API server always sets it; without it there is nothing to measure from
        if (EndsWaitForReview(previous, announcements) && FirstReviewAt(evaluation) is { } reviewed)
            _firstReview.Observe(Seconds(origin, reviewed));
        if (DecisionAt(previous, announcements, evaluation) is var (decision, at))
            _decision.WithLabels(decision).Observe(Seconds(origin, at));
    }

    /// <summary>
    /// The states the request went through: the announcements, preceded by the state every request starts in (Pending,
    /// or BreakGlass) when this is its first announcement and that state was never announced on its own (a request reviewed
    /// before the controller first saw it), so that pending and breakglass count every request once.
    /// </summary>
    private static IReadOnlyList<string> Transitions(ApprovalRequest request, string? previous, IReadOnlyList<string> announcements)
    {
        if (previous is not null) return announcements;
        var first = request.Spec.BreakGlass ? ApprovalAnnouncements.BreakGlass : ApprovalAnnouncements.Pending;
        return announcements.Contains(first) ? announcements : [first, .. announcements];
    }

    /// <summary>The outcome label of an announcement: its name in lower case, words joined by '_'.</summary>
    internal static string OutcomeLabel(string announcement) => announcement switch
    {
        ApprovalAnnouncements.ReviewRejected => "review_rejected",
        _ => announcement.ToLowerInvariant(),
    };

    private static string ExpiryKind(ApprovalEvaluation evaluation) =>
        evaluation.ApprovedAt is null ? ExpiredPending : evaluation.Uses == 0 ? ExpiredUnused : ExpiredUsed;

    /// <summary>
    /// Whether these announcements end the request's wait for reviews: it leaves Pending (or, break-glass, the wait for
    /// its follow-up review) for the first time. Exactly one write per request does, so the first review is observed once.
    /// </summary>
    private static bool EndsWaitForReview(string? previous, IReadOnlyList<string> announcements)
    {
        if (previous is not (null or ApprovalAnnouncements.Pending or ApprovalAnnouncements.BreakGlass)) return false;
        return announcements.Any(a => a is ApprovalAnnouncements.Approved or ApprovalAnnouncements.Denied or ApprovalAnnouncements.Expired
            or ApprovalAnnouncements.Reviewed or ApprovalAnnouncements.ReviewRejected);
    }

    /// <summary>The earliest stamped review, counted or not: someone looked at the request then.</summary>
    private static DateTimeOffset? FirstReviewAt(ApprovalEvaluation evaluation) =>
        evaluation.Decisions.Select(d => TimeText.FromApi(d.Time)).Where(t => t is not null).Min();

    /// <summary>
    /// The decision these announcements make known, and when it was made: Approved (also an approval that expired before
    /// any controller announced it) or Denied; null when they announce none, or the request is break-glass (never decided).
    /// </summary>
    private static (string Decision, DateTimeOffset At)? DecisionAt(string? previous, IReadOnlyList<string> announcements, ApprovalEvaluation evaluation)
    {
        if (announcements.Contains(ApprovalAnnouncements.Denied) && evaluation.DeniedBy?.Time is { } deniedAt)
            return ("denied", TimeText.FromApi(deniedAt));
        if (evaluation.ApprovedAt is not { } approvedAt || evaluation.Phase == RequestPhase.BreakGlass) return null;
        var approvedNow = announcements.Contains(ApprovalAnnouncements.Approved)
            || (announcements.Contains(ApprovalAnnouncements.Expired) && previous is null or ApprovalAnnouncements.Pending);
        return approvedNow ? ("approved", approvedAt) : null;
    }

    private static double Seconds(DateTimeOffset from, DateTimeOffset to) => Math.Max(0, (to - from).TotalSeconds);
}
