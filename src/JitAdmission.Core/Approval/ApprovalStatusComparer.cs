namespace JitAdmission.Core.Approval;

/// <summary>Whether writing a new status would change anything a reader can see (times compared to the second).</summary>
public static class ApprovalStatusComparer
{
    public static bool Differs(ApprovalRequestStatus? current, ApprovalRequestStatus desired)
    {
        ArgumentNullException.ThrowIfNull(desired);
        if (current is null) return true;
        return current.Phase != desired.Phase
            || current.Action != desired.Action
            || current.Approvals != desired.Approvals
            || !SameTime(current.ExpiresAt, desired.ExpiresAt)
            || !SameTime(current.ApprovedAt, desired.ApprovedAt)
            || !SameTime(current.ValidUntil, desired.ValidUntil)
            || current.Uses != desired.Uses
            || current.MaxUses != desired.MaxUses
            || current.Message != desired.Message
            || current.ObservedGeneration != desired.ObservedGeneration
            || !Same(current.Requirements, desired.Requirements, SameRequirement)
            || !Same(current.Decisions, desired.Decisions, SameDecision)
            || !Same(current.Usage, desired.Usage, SameUsage)
            || !(current.UsedObjects ?? []).SequenceEqual(desired.UsedObjects ?? [], StringComparer.Ordinal)
            || !Same(current.Conditions, desired.Conditions, SameCondition);
    }

    private static bool Same<T>(IList<T>? a, IList<T>? b, Func<T, T, bool> equal)
    {
        a ??= [];
        b ??= [];
        if (a.Count != b.Count) return false;
        for (var i = 0; i < a.Count; i++)
            if (!equal(a[i], b[i])) return false;
        return true;
    }

    private static bool SameTime(DateTime? a, DateTime? b) =>
        a is null || b is null ? a is null && b is null : TimeText.ToApi(TimeText.FromApi(a.Value)) == TimeText.ToApi(TimeText.FromApi(b.Value));

    private static bool SameRequirement(RequirementStatus a, RequirementStatus b) =>
        a.Name == b.Name && a.Need == b.Need && a.Have == b.Have && a.Satisfied == b.Satisfied && a.ApprovedByRule == b.ApprovedByRule
        && a.ApprovedBy.SequenceEqual(b.ApprovedBy, StringComparer.Ordinal);

    private static bool SameDecision(DecisionRecord a, DecisionRecord b) =>
        a.Reviewer == b.Reviewer && a.Decision == b.Decision && a.Comment == b.Comment
        && SameTime(a.Time, b.Time) && a.IgnoredReason == b.IgnoredReason;

    private static bool SameUsage(UsageRecord a, UsageRecord b) =>
        SameTime(a.Time, b.Time) && a.AdmissionUid == b.AdmissionUid && a.Operation == b.Operation && a.By == b.By;

    private static bool SameCondition(V1Condition a, V1Condition b) =>
        a.Type == b.Type && a.Status == b.Status && a.Reason == b.Reason && a.Message == b.Message
        && a.ObservedGeneration == b.ObservedGeneration && SameTime(a.LastTransitionTime, b.LastTransitionTime);
}
