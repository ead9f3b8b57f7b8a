namespace JitAdmission.Cli.Model;

/// <summary>
/// What the plugin shows and decides on for one request. The operator's status is the source of truth when it is up to
/// date with the spec (<c>status.observedGeneration</c> ≥ <c>metadata.generation</c>); when it is missing or older than
/// the latest review, the request is evaluated here with <see cref="ApprovalEvaluator"/> and the live policies — the same
/// function the controller writes the status with and the webhook decides with.
/// </summary>
internal sealed class RequestView
{
    private RequestView(FetchedRequest fetched, ViewSource source)
    {
        Fetched = fetched;
        Source = source;
    }

    public FetchedRequest Fetched { get; }
    public ApprovalRequest Request => Fetched.Request;
    public ViewSource Source { get; }

    /// <summary>Null only when nothing is known (<see cref="ViewSource.Unknown"/>): shown as Pending.</summary>
    public RequestPhase? Phase { get; private init; }
    public RequestPhase DisplayPhase => Phase ?? RequestPhase.Pending;
    public int? Have { get; private init; }
    public int? Need { get; private init; }
    public string Approvals => Have is { } h && Need is { } n ? $"{h}/{n}" : "-";
    public DateTimeOffset? ExpiresAt { get; private init; }
    public DateTimeOffset? ApprovedAt { get; private init; }
    public DateTimeOffset? ValidUntil { get; private init; }
    public int Uses { get; private init; }
    public int MaxUses { get; private init; }
    public IReadOnlyList<RequirementStatus> Requirements { get; private init; } = [];
    public IReadOnlyList<DecisionRecord> Decisions { get; private init; } = [];

    /// <summary>Whether <see cref="Decisions"/> say which reviews count (evaluated), or only repeat the reviews.</summary>
    public bool DecisionsEvaluated { get; private init; }
    public IReadOnlyList<UsageRecord> Usage { get; private init; } = [];
    public string Message { get; private init; } = "";
    public string Action { get; private init; } = "";

    /// <summary>The client-side evaluation, when the policies could be read (also when the status is the source).</summary>
    public ApprovalEvaluation? Evaluation { get; private init; }

    /// <summary>For BreakGlass requests: how the after-the-fact review stands.</summary>
    public BreakGlassReview BreakGlassReview { get; private init; }

    public DateTimeOffset? Created => TimeText.FromApi(Request.Metadata.CreationTimestamp);

    public bool IsPending => Phase is null or RequestPhase.Pending;

    /// <summary>When the phase may change by itself (expiry, end of validity): a waiter looks again then.</summary>
    public DateTimeOffset? NextDeadline => Phase switch
    {
        RequestPhase.Pending => ExpiresAt,
        RequestPhase.Approved or RequestPhase.BreakGlass => ValidUntil,
        _ => null,
    };

    /// <summary>The status is current when it was written for the spec as it is now (reviews bump the generation).</summary>
    public static bool StatusIsCurrent(ApprovalRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.Status?.Phase is not null
            && (request.Status.ObservedGeneration is not { } observed || request.Metadata.Generation is not { } generation || observed >= generation);
    }

    public static RequestView Build(FetchedRequest fetched, PolicySnapshot policies, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(fetched);
        ArgumentNullException.ThrowIfNull(policies);
        var request = fetched.Request;
        var status = request.Status;
        var evaluation = policies.Available ? ApprovalEvaluator.Evaluate(request, policies.Named(request.Spec.Policies), now) : null;

        if (StatusIsCurrent(request)) return FromStatus(fetched, status!, ViewSource.Status, evaluation);
        // The status jit-admission will write, from the same evaluation the controller runs.
        if (evaluation is not null) return FromStatus(fetched, evaluation.ToStatus(status, now), ViewSource.Evaluated, evaluation);
        if (status?.Phase is not null) return FromStatus(fetched, status, ViewSource.StaleStatus, null);
        return new RequestView(fetched, ViewSource.Unknown)
        {
            Action = ApprovalEvaluator.ActionText(request.Spec),
            Decisions = ReviewsAsDecisions(request.Spec),
            Message = "jit-admission has not evaluated this request yet (no status), and the ApprovalPolicies cannot be read: "
                + (policies.Unavailable ?? "unknown reason"),
        };
    }

    private static RequestView FromStatus(
        FetchedRequest fetched, ApprovalRequestStatus status, ViewSource source, ApprovalEvaluation? evaluation)
    {
        var (have, need) = ParseApprovals(status);
        // The evaluation's message has relative times ("expires in 41m"); use it when it tells the same story.
        var message = evaluation is not null && evaluation.Phase == status.Phase ? evaluation.Message : status.Message ?? "";
        return new RequestView(fetched, source)
        {
            Phase = status.Phase,
            Have = have,
            Need = need,
            ExpiresAt = TimeText.FromApi(status.ExpiresAt),
            ApprovedAt = TimeText.FromApi(status.ApprovedAt),
            ValidUntil = TimeText.FromApi(status.ValidUntil),
            Uses = status.Uses,
            MaxUses = status.MaxUses,
            // A status without per-entry progress (written by an older or partial writer) still gets the breakdown.
            Requirements = status.Requirements is { Count: > 0 } r ? r : evaluation?.Requirements ?? [],
            Decisions = status.Decisions is { Count: > 0 } d ? d : evaluation?.Decisions ?? ReviewsAsDecisions(fetched.Request.Spec),
            DecisionsEvaluated = status.Decisions is { Count: > 0 } || evaluation is not null,
            Usage = status.Usage ?? [],
            Message = message,
            Action = status.Action is { Length: > 0 } a ? a : ApprovalEvaluator.ActionText(fetched.Request.Spec),
            Evaluation = evaluation,
            BreakGlassReview = source == ViewSource.Evaluated ? evaluation!.BreakGlassReview
                : status.Phase == RequestPhase.BreakGlass ? ReviewFromConditions(status.Conditions)
                : BreakGlassReview.None,
        };
    }

    private static List<DecisionRecord> ReviewsAsDecisions(ApprovalRequestSpec spec) =>
        [.. spec.Reviews.Select(r => new DecisionRecord { Reviewer = r.Reviewer, Decision = r.Decision, Comment = r.Comment, Time = r.Time })];

    private static (int? Have, int? Need) ParseApprovals(ApprovalRequestStatus status)
    {
        var text = status.Approvals ?? "";
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash > 0 && int.TryParse(text[..slash], out var h) && int.TryParse(text[(slash + 1)..], out var n)) return (h, n);
        return status.Requirements is { Count: > 0 } r ? (r.Sum(x => Math.Min(x.Have, x.Need)), r.Sum(x => x.Need)) : (null, null);
    }

    private static BreakGlassReview ReviewFromConditions(IEnumerable<V1Condition>? conditions)
    {
        var reviewed = conditions?.FirstOrDefault(c => c.Type == ApprovalConditions.Reviewed);
        return reviewed switch
        {
            { Status: "True" } => BreakGlassReview.Approved,
            { Reason: ApprovalConditions.ReasonRejected } => BreakGlassReview.Rejected,
            _ => BreakGlassReview.Pending,
        };
    }
}
