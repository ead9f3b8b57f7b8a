namespace JitAdmission.Core.Approval;

internal sealed record ApprovalMessageFacts(
    RequestPhase Phase, EffectiveApproval Effective, IReadOnlyList<string> Missing, IReadOnlyList<RequirementStatus> Requirements,
    IReadOnlyList<string> ApprovedBy, DecisionRecord? Deny, DateTimeOffset ExpiresAt, DateTimeOffset? ApprovedAt,
    DateTimeOffset? ValidUntil, DateTimeOffset? ApprovedLate, int Uses, int MaxUses, BreakGlassReview BreakGlass,
    ApprovalRequestSpec Spec)
{
    /// <summary>The request this one extends, when it is approved automatically as its extension.</summary>
    public string? ByExtension { get; init; }
}

/// <summary>The one-line status message of a request; <c>when</c> renders a future instant ("in 59m" or "at …Z").</summary>
internal static class ApprovalMessages
{
    /// <summary>The status form: absolute times only.</summary>
    public static string ForStatus(ApprovalMessageFacts f) => Describe(f, At, null);

    /// <summary><see cref="Approval"/> in the status form.</summary>
    public static string ApprovalForStatus(ApprovalMessageFacts f) => Approval(f, At);

    public static string Describe(ApprovalMessageFacts f, Func<DateTimeOffset, string> when, DateTimeOffset? now)
    {
        switch (f.Phase)
        {
            case RequestPhase.Pending:
                var blockers = Blockers(f);
                return blockers.Count > 0
                    ? $"cannot be approved: {string.Join("; ", blockers)}; expires {when(f.ExpiresAt)}"
                    : $"waiting for {ApproverText.Progress(f.Requirements)}; expires {when(f.ExpiresAt)}";
            case RequestPhase.Approved:
                return Approval(f, when) + UsesText(f);
            case RequestPhase.Denied:
                return f.Deny is null ? "denied" : $"denied by {f.Deny.Reviewer}{CommentText(f.Deny)}";
            case RequestPhase.Expired when f.ApprovedLate is { } late:
                return $"expired: approved at {TimeText.Absolute(late)}, after the request expired at {TimeText.Absolute(f.ExpiresAt)}";
            case RequestPhase.Expired when f.ValidUntil is { } end && f.ByExtension is { } extended:
                return $"expired: the automatic extension of {extended} ended at {TimeText.Absolute(end)}";
            case RequestPhase.Expired when f.ValidUntil is { } end:
                return $"expired: the approval by {Approvers(f)} ended at {TimeText.Absolute(end)}";
            case RequestPhase.Expired:
                var why = Blockers(f);
                return $"expired at {TimeText.Absolute(f.ExpiresAt)} without approval ("
                    + (why.Count > 0 ? string.Join("; ", why) : ApproverText.Progress(f.Requirements)) + ")";
            case RequestPhase.Consumed:
                return $"used {f.Uses}/{f.MaxUses}: the approval is spent; a new change needs a new approval";
            default:
                return BreakGlassText(f, when, now);
        }
    }

    /// <summary>"approved by bob; the approval ends …": the approval itself, without the uses that followed it.</summary>
    private static string Approval(ApprovalMessageFacts f, Func<DateTimeOffset, string> when) =>
        f.ByExtension is { } extended
            ? $"approved automatically as an extension of {extended}; the approval ends {when(f.ValidUntil!.Value)}"
            : $"approved by {Approvers(f)}; the approval ends {when(f.ValidUntil!.Value)}";


    internal static List<string> Blockers(ApprovalMessageFacts f)
    {
        var blockers = f.Missing.Select(m => $"policy \"{m}\" no longer exists").ToList();
        // With every named policy gone, "no approval policy applies" only repeats the news.
        blockers.AddRange(f.Effective.Problems.Where(p => f.Missing.Count == 0 || p != EffectiveApproval.NoPolicyProblem));
        return blockers;
    }

    private static string BreakGlassText(ApprovalMessageFacts f, Func<DateTimeOffset, string> when, DateTimeOffset? now)
    {
        var head = $"break-glass by {f.Spec.Requester.Username}" + (f.Spec.Reason.Length > 0 ? $" ({f.Spec.Reason})" : "");
        var end = f.ValidUntil ?? f.ExpiresAt;
        var window = now is { } n && n >= end ? $"window ended at {TimeText.Absolute(end)}" : $"window ends {when(end)}";
        var review = f.BreakGlass switch
        {
            BreakGlassReview.Approved => $"reviewed: approved by {People(f.ApprovedBy)}",
            BreakGlassReview.Rejected => $"review rejected by {f.Deny!.Reviewer}{CommentText(f.Deny)}",
            _ => $"awaiting review: {ApproverText.Progress(f.Requirements)}",
        };
        return $"{head}; {window}; {review}";
    }

    private static string At(DateTimeOffset t) => "at " + TimeText.Absolute(t);

    private static string UsesText(ApprovalMessageFacts f) => f.MaxUses > 0 ? $"; used {f.Uses}/{f.MaxUses}" : "";

    private static string CommentText(DecisionRecord decision) =>
        string.IsNullOrWhiteSpace(decision.Comment) ? "" : $": {decision.Comment}";

    /// <summary>The people counted and the auto-approval rules that filled entries ("bob, rule oncall/on-call").</summary>
    private static string Approvers(ApprovalMessageFacts f) =>
        People([.. f.ApprovedBy, .. f.Requirements.Select(r => r.ApprovedByRule).OfType<string>().Distinct(StringComparer.Ordinal).Select(r => "rule " + r)]);

    private static string People(IReadOnlyList<string> people) => people.Count == 0 ? "nobody" : string.Join(", ", people);
}
