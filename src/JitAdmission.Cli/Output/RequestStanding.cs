namespace JitAdmission.Cli.Output;

/// <summary>
/// Where a request stands, in one line for its requester (<c>kubectl jit list --mine</c>): what it waits on and from
/// whom, or what was decided, and the time left. The words come from Core (<see cref="ApprovalExpiry"/>,
/// <see cref="ApproverText"/>), which the controller's Expiring announcement uses too, so both say the same thing.
/// </summary>
internal static class RequestStanding
{
    public static string Describe(RequestView view, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(view);
        var evaluation = view.Evaluation is { } e && e.Phase == view.DisplayPhase ? e : null;
        return view.DisplayPhase switch
        {
            RequestPhase.Pending => Waiting(view, evaluation) + Ends("expires", view.ExpiresAt, now),
            RequestPhase.Approved => $"approved by {ApprovedBy(view, evaluation)} — {ApprovalExpiry.UsesLeft(view.MaxUses, view.Uses)}"
                + (view.ValidUntil is { } until ? $", valid for {TimeText.Relative(until - now)}" : ""),
            RequestPhase.Consumed => $"approved by {ApprovedBy(view, evaluation)} — used {view.Uses}/{view.MaxUses}: spent, a new change needs a new approval",
            RequestPhase.Denied => DeniedBy(view) is { } deny
                ? $"denied by {deny.Reviewer}" + (string.IsNullOrWhiteSpace(deny.Comment) ? "" : $": {deny.Comment}")
                : "denied",
            RequestPhase.Expired when view.ApprovedAt is not null && view.ValidUntil is { } end =>
                $"the approval by {ApprovedBy(view, evaluation)} ended {RelativeTime.From(end, now)}",
            RequestPhase.Expired => "expired without approval" + (view.ExpiresAt is { } at ? $" {RelativeTime.From(at, now)}" : "")
                + $" ({ApproverText.Progress(view.Requirements)})",
            _ => BreakGlass(view, now),
        };
    }

    /// <summary>Whom it waits on: from the live policies when they could be read, else the status' progress.</summary>
    private static string Waiting(RequestView view, ApprovalEvaluation? evaluation) =>
        evaluation is not null ? ApprovalExpiry.Waiting(evaluation) : $"waits for {ApproverText.Progress(view.Requirements)}";

    private static string Ends(string what, DateTimeOffset? at, DateTimeOffset now) =>
        at is { } end ? $" — {what} {RelativeTime.From(end, now)}" : "";

    private static string ApprovedBy(RequestView view, ApprovalEvaluation? evaluation)
    {
        IEnumerable<string> people = evaluation?.ApprovedBy ?? view.Requirements.SelectMany(r => r.ApprovedBy);
        var rules = (evaluation?.Requirements ?? view.Requirements).Select(r => r.ApprovedByRule).OfType<string>().Select(r => "rule " + r);
        var names = people.Concat(rules).Distinct(StringComparer.Ordinal).ToList();
        return names.Count == 0 ? "nobody recorded" : string.Join(", ", names);
    }

    /// <summary>The counted Deny (the evaluation says which counted; a status' decisions carry why others did not).</summary>
    private static DecisionRecord? DeniedBy(RequestView view) =>
        view.Evaluation?.DeniedBy
        ?? view.Decisions.FirstOrDefault(d => d.Decision == ReviewDecision.Deny && d.IgnoredReason is null);

    private static string BreakGlass(RequestView view, DateTimeOffset now)
    {
        var review = view.BreakGlassReview switch
        {
            BreakGlassReview.Approved => "reviewed afterwards",
            BreakGlassReview.Rejected => "review rejected" + (DeniedBy(view) is { } d ? $" by {d.Reviewer}" : ""),
            _ => $"awaiting review ({ApproverText.Progress(view.Requirements)})",
        };
        return $"break-glass — {review}" + Ends("window ends", view.ValidUntil, now);
    }
}
