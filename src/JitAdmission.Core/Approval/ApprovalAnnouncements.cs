namespace JitAdmission.Core.Approval;

/// <summary>
/// What the controller has announced (an Event and notifications) about a request, kept in its status as the
/// condition <see cref="ApprovalConditions.Announced"/> (reason = the announcement). Because it lives in the API server,
/// a repeated reconcile, a restart or a new leader never announces the same state twice; and its lastTransitionTime
/// says when a request finished, which retention counts from. Status writers keep the condition (they keep every
/// condition they do not own), so a phase the webhook writes (Consumed) is still announced once by the controller.
/// </summary>
public static class ApprovalAnnouncements
{
    public const string Pending = nameof(RequestPhase.Pending);
    public const string Approved = nameof(RequestPhase.Approved);
    public const string Denied = nameof(RequestPhase.Denied);
    public const string Expired = nameof(RequestPhase.Expired);
    public const string Consumed = nameof(RequestPhase.Consumed);
    public const string BreakGlass = nameof(RequestPhase.BreakGlass);
    /// <summary>A break-glass request whose after-the-fact review met the requirements.</summary>
    public const string Reviewed = "Reviewed";
    /// <summary>A break-glass request whose review was a Deny: needs follow-up.</summary>
    public const string ReviewRejected = "ReviewRejected";

    /// <summary>The announcement the evaluated state calls for.</summary>
    public static string For(ApprovalEvaluation evaluation)
    {
        ArgumentNullException.ThrowIfNull(evaluation);
        return evaluation.Phase switch
        {
            RequestPhase.BreakGlass => evaluation.BreakGlassReview switch
            {
                BreakGlassReview.Approved => Reviewed,
                BreakGlassReview.Rejected => ReviewRejected,
                _ => BreakGlass,
            },
            var phase => phase.ToString(),
        };
    }

    /// <summary>
    /// The announcements due after <paramref name="recorded"/>, in order: the evaluated state's, preceded by Approved
    /// when the webhook's use took the request from Pending straight to Consumed (a held call records the first use
    /// before the controller marks the approval): who approved is news for the Events and notifications too.
    /// </summary>
    public static IReadOnlyList<string> Due(string? recorded, ApprovalEvaluation evaluation)
    {
        var current = For(evaluation);
        if (recorded == current) return [];
        return current == Consumed && evaluation.ApprovedAt is not null && recorded is not (Approved or Consumed)
            ? [Approved, Consumed]
            : [current];
    }

    /// <summary>The phase an announcement is about (notification targets filter by phase).</summary>
    public static RequestPhase PhaseOf(string announcement) =>
        announcement is Reviewed or ReviewRejected ? RequestPhase.BreakGlass : Enum.Parse<RequestPhase>(announcement);

    /// <summary>The last announcement recorded in the status, or null.</summary>
    public static string? Recorded(ApprovalRequestStatus? status) =>
        status?.Conditions.FirstOrDefault(c => c.Type == ApprovalConditions.Announced)?.Reason;

    /// <summary>Records <paramref name="announcement"/> as made now (lastTransitionTime moves with every new announcement).</summary>
    public static void Record(ApprovalRequestStatus status, string announcement, long? generation, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(status);
        ArgumentException.ThrowIfNullOrEmpty(announcement);
        var condition = new V1Condition
        {
            Type = ApprovalConditions.Announced,
            Status = "True",
            Reason = announcement,
            Message = $"{announcement}: Event recorded and notifications sent",
            ObservedGeneration = generation,
            LastTransitionTime = TimeText.ToApi(now),
        };
        var index = status.Conditions.FindIndex(c => c.Type == ApprovalConditions.Announced);
        if (index < 0) status.Conditions.Add(condition);
        else status.Conditions[index] = condition;
    }

    /// <summary>
    /// When the request finished, for retention: the time its final state was announced — Denied, Expired or Consumed,
    /// or a break-glass request once reviewed. Null while it is not finished (a rejected break-glass request awaits
    /// follow-up and is kept).
    /// </summary>
    public static DateTimeOffset? FinishedAt(ApprovalRequestStatus? status)
    {
        var announced = status?.Conditions.FirstOrDefault(c => c.Type == ApprovalConditions.Announced);
        if (announced?.LastTransitionTime is not { } at) return null;
        var finished = (status!.Phase, announced.Reason) switch
        {
            (RequestPhase.Denied, Denied) or (RequestPhase.Expired, Expired) or (RequestPhase.Consumed, Consumed) => true,
            (RequestPhase.BreakGlass, Reviewed) => true,
            _ => false,
        };
        return finished ? TimeText.FromApi(at) : null;
    }
}
