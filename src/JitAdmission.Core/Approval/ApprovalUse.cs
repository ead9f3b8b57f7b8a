namespace JitAdmission.Core.Approval;

/// <summary>The status after the webhook lets one admission request through on an approval.</summary>
public static class ApprovalUse
{
    /// <summary>How many uses the status keeps (the newest); <c>uses</c> counts them all.</summary>
    public const int UsageHistory = 20;

    /// <summary>
    /// Uses + 1, the use appended to the bounded usage log, phase Consumed when the last use is taken. Written with the
    /// request's resourceVersion so that two replicas never both take a single-use approval.
    /// </summary>
    /// <exception cref="ArgumentException">The evaluation says the approval is not usable.</exception>
    public static ApprovalRequestStatus Record(
        ApprovalRequestStatus current, ApprovalEvaluation evaluation, AdmissionAttributes request, DateTimeOffset now, string? fingerprint = null)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(evaluation);
        ArgumentNullException.ThrowIfNull(request);
        if (!evaluation.IsUsable)
            throw new ArgumentException($"the approval is not usable ({evaluation.Phase}: {evaluation.Message})", nameof(evaluation));

        var status = evaluation.ToStatus(current, now);
        status.Uses = current.Uses + 1;
        status.Usage.Add(new UsageRecord
        {
            Time = TimeText.ToApi(now),
            AdmissionUid = request.Uid,
            Operation = OperationText(request),
            By = request.UserInfo.Username,
        });
        if (status.Usage.Count > UsageHistory) status.Usage.RemoveRange(0, status.Usage.Count - UsageHistory);
        // A change set remembers which objects went through: each is let through once.
        if (fingerprint is not null && evaluation.IsChangeSet) status.UsedObjects = [.. current.UsedObjects ?? [], fingerprint];

        var spent = status.MaxUses > 0 && status.Uses >= status.MaxUses;
        if (status.Phase == RequestPhase.Approved && spent) status.Phase = RequestPhase.Consumed;
        if (status.Phase is RequestPhase.Approved or RequestPhase.Consumed)
        {
            // The same text the controller computes from the new status, so its next reconcile writes nothing.
            status.Message = ApprovalMessages.ForStatus(evaluation.MessageFacts with { Phase = status.Phase.Value, Uses = status.Uses });
            status.Conditions = ApprovalStatusWriter.SetCondition(
                status.Conditions, ApprovalConditions.Approved, true,
                status.Phase == RequestPhase.Consumed ? ApprovalConditions.ReasonConsumed : ApprovalConditions.ReasonApproved,
                status.Message, evaluation.ObservedGeneration, now);
        }

        return status;
    }

    /// <summary>How a use's operation is recorded: "UPDATE", or with the subresource, "CONNECT exec".</summary>
    public static string OperationText(AdmissionAttributes request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.SubResource.Length == 0 ? request.Operation : $"{request.Operation} {request.SubResource}";
    }
}
