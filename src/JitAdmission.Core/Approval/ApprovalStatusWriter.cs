namespace JitAdmission.Core.Approval;

/// <summary>Turns an evaluation into the status to write, changing nothing that did not change.</summary>
internal static class ApprovalStatusWriter
{
    public static ApprovalRequestStatus Write(ApprovalEvaluation e, ApprovalRequestStatus? current, DateTimeOffset now)
    {
        var status = new ApprovalRequestStatus
        {
            Phase = e.Phase,
            Action = e.Action,
            Approvals = e.ApprovedByExtension is { } extended ? $"extends {extended}" : e.Progress,
            ExpiresAt = TimeText.ToApi(e.ExpiresAt),
            ApprovedAt = TimeText.ToApi(e.ApprovedAt),
            ValidUntil = TimeText.ToApi(e.ValidUntil),
            Uses = current?.Uses ?? 0,
            MaxUses = e.MaxUses,
            Requirements = [.. e.Requirements.Select(Copy)],
            Decisions = [.. e.Decisions.Select(Copy)],
            Usage = [.. (current?.Usage ?? []).Select(Copy)],
            UsedObjects = current?.UsedObjects is { } used ? [.. used] : null,
            Message = e.StatusMessage,
            ObservedGeneration = e.ObservedGeneration,
        };
        var (approved, approvedReason) = ApprovalConditions.ApprovedCondition(e);
        status.Conditions = SetCondition(current?.Conditions ?? [], ApprovalConditions.Approved, approved, approvedReason, e.StatusMessage, e.ObservedGeneration, now);
        if (e.BreakGlassReview != BreakGlassReview.None)
        {
            var (reviewed, reviewedReason) = ApprovalConditions.ReviewedCondition(e);
            status.Conditions = SetCondition(status.Conditions, ApprovalConditions.Reviewed, reviewed, reviewedReason, e.StatusMessage, e.ObservedGeneration, now);
        }

        return status;
    }

    /// <summary>Replaces (or adds) one condition; lastTransitionTime moves only when its status changes.</summary>
    internal static List<V1Condition> SetCondition(
        IReadOnlyList<V1Condition> conditions, string type, bool value, string reason, string message, long? generation, DateTimeOffset now)
    {
        var text = value ? "True" : "False";
        var previous = conditions.FirstOrDefault(c => c.Type == type);
        var changed = previous is null || previous.Status != text;
        var condition = new V1Condition
        {
            Type = type,
            Status = text,
            Reason = reason,
            Message = message,
            ObservedGeneration = generation,
            LastTransitionTime = changed ? TimeText.ToApi(now) : previous!.LastTransitionTime,
        };
        var result = conditions.Where(c => c.Type != type).Select(Copy).ToList();
        var index = conditions.ToList().FindIndex(c => c.Type == type);
        if (index < 0) result.Add(condition);
        else result.Insert(Math.Min(index, result.Count), condition);
        return result;
    }

    internal static RequirementStatus Copy(RequirementStatus r) =>
        new() { Name = r.Name, Need = r.Need, Have = r.Have, ApprovedBy = [.. r.ApprovedBy], Satisfied = r.Satisfied, ApprovedByRule = r.ApprovedByRule };

    internal static DecisionRecord Copy(DecisionRecord d) =>
        new() { Reviewer = d.Reviewer, Decision = d.Decision, Comment = d.Comment, Time = d.Time, IgnoredReason = d.IgnoredReason };

    internal static UsageRecord Copy(UsageRecord u) =>
        new() { Time = u.Time, AdmissionUid = u.AdmissionUid, Operation = u.Operation, By = u.By };

    internal static V1Condition Copy(V1Condition c) =>
        new() { Type = c.Type, Status = c.Status, Reason = c.Reason, Message = c.Message, ObservedGeneration = c.ObservedGeneration, LastTransitionTime = c.LastTransitionTime };
}
