using JitAdmission.Core.Api;
using JitAdmission.Core.Approval;
using JitAdmission.Core.Matching;
using JitAdmission.Core.Messages;

namespace JitAdmission.Core.Admission;

/// <summary>The verdicts that follow the webhook's I/O: a use recorded, a record created, a hold that ended.</summary>
public static partial class AdmissionEngine
{
    /// <summary>The approval's use was recorded: allowed, with who approved it in the audit log.</summary>
    public static AdmissionVerdict Consumed(ConsumePlan plan, ApprovalRequest used)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(used);
        var annotations = Annotations(plan.Gate, plan.AdvisoryPolicies, used, Outcomes.Consume);
        annotations[AuditKeys.Approvers] = string.Join(",", plan.Evaluation.ApprovedBy);
        return new AdmissionVerdict
        {
            Allowed = true,
            Outcome = Outcomes.Consume,
            Warnings = plan.Warnings,
            Policies = AllPolicies(plan.Gate, plan.AdvisoryPolicies),
            AuditAnnotations = annotations,
        };
    }

    /// <summary>The identical connection moments after its approval was used (<see cref="RetryGrace"/>): kubectl's protocol fallback.</summary>
    private static AdmissionVerdict RetryAllowed(AdmissionGate gate, IReadOnlyList<string> advisory, List<string> warnings, UsedApproval used)
    {
        var annotations = Annotations(gate, advisory, used.Request, Outcomes.Retry);
        annotations[AuditKeys.Approvers] = string.Join(",", used.Evaluation.ApprovedBy);
        return new AdmissionVerdict
        {
            Allowed = true,
            Outcome = Outcomes.Retry,
            Warnings = warnings,
            Policies = AllPolicies(gate, advisory),
            AuditAnnotations = annotations,
        };
    }

    /// <summary>The break-glass record exists: allowed now, with a warning saying it will be reviewed.</summary>
    public static AdmissionVerdict BreakGlassAllowed(BreakGlassPlan plan, ApprovalRequest record)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(record);
        return new AdmissionVerdict
        {
            Allowed = true,
            Outcome = Outcomes.BreakGlass,
            Warnings = [.. plan.Warnings, AdmissionMessages.BreakGlassWarning(record, plan.Gate.Policies)],
            Policies = AllPolicies(plan.Gate, plan.AdvisoryPolicies),
            AuditAnnotations = Annotations(plan.Gate, plan.AdvisoryPolicies, record, Outcomes.BreakGlass),
        };
    }

    /// <summary>The request was created (or found created by another replica): hold on it.</summary>
    public static HoldPlan HoldFor(CreatePlan plan, ApprovalRequest created, PolicySet policies, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(plan);
        return new HoldPlan(plan.Gate, created, Evaluate(created, policies, now), plan.Wait, plan.PreviouslyUsed)
        {
            Warnings = plan.Warnings,
            AdvisoryPolicies = plan.AdvisoryPolicies,
        };
    }

    /// <summary>Where the held request stands now; <paramref name="current"/> is null when it was deleted.</summary>
    public static HeldCheck CheckHeld(AdmissionAttributes request, HoldPlan plan, ApprovalRequest? current, PolicySet policies, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(plan);
        if (current is null)
        {
            var gone = $"{AdmissionMessages.Gated(request)} was not let through: ApprovalRequest {plan.Request.Metadata?.Name} in namespace "
                + $"{plan.Request.Metadata?.NamespaceProperty} was deleted while the call waited for it. Run the same command again for a new request.";
            return new HeldCheck(HeldState.Finished, null, Denied(plan.Gate, plan.AdvisoryPolicies, plan.Warnings, plan.Request, Outcomes.Deny, gone));
        }

        var evaluation = Evaluate(current, policies, now);
        if (evaluation.IsUsable) return new HeldCheck(HeldState.Usable, evaluation, null);
        if (evaluation.Phase == RequestPhase.Denied)
        {
            return new HeldCheck(HeldState.Finished, evaluation,
                Denied(plan.Gate, plan.AdvisoryPolicies, plan.Warnings, current, Outcomes.Deny, AdmissionMessages.Denied(request, current, evaluation)));
        }

        if (evaluation.Phase == RequestPhase.Consumed) return new HeldCheck(HeldState.Spent, evaluation, null);
        if (evaluation.IsFinished)
        {
            return new HeldCheck(HeldState.Finished, evaluation,
                Denied(plan.Gate, plan.AdvisoryPolicies, plan.Warnings, current, Outcomes.Deny, AdmissionMessages.Expired(request, current, evaluation)));
        }

        return new HeldCheck(HeldState.Waiting, evaluation, null);
    }

    /// <summary>
    /// The hold ended (or there was none: wait 0) without approval: denied with the request, its progress, when it
    /// expires and the exact commands to approve it; after an approval was used up, saying so first.
    /// </summary>
    public static AdmissionVerdict NotApproved(AdmissionAttributes request, HoldPlan plan, ApprovalRequest current, ApprovalEvaluation evaluation, TimeSpan held, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(plan);
        var policies = plan.Gate.Policies;
        var message = plan.PreviouslyUsed is { } used
            ? AdmissionMessages.ConsumedNeedsNewApproval(request, used.Request, used.Evaluation, policies, current, evaluation, now)
            : held > TimeSpan.Zero
                ? AdmissionMessages.TimedOut(request, policies, current, evaluation, held, now)
                : AdmissionMessages.NeedsApproval(request, policies, current, evaluation, now);
        return Denied(plan.Gate, plan.AdvisoryPolicies, plan.Warnings, current, Outcomes.Hold, message);
    }

    /// <summary>Fail closed on a gated request, saying why (never a stack trace).</summary>
    public static AdmissionVerdict CouldNotDecide(AdmissionPlan? plan, string reason) =>
        CouldNotDecide(plan?.Warnings ?? [], reason) with
        {
            Policies = plan switch
            {
                ConsumePlan c => AllPolicies(c.Gate, c.AdvisoryPolicies),
                CreatePlan c => AllPolicies(c.Gate, c.AdvisoryPolicies),
                HoldPlan h => AllPolicies(h.Gate, h.AdvisoryPolicies),
                BreakGlassPlan b => AllPolicies(b.Gate, b.AdvisoryPolicies),
                _ => [],
            },
        };

    private static AdmissionVerdict CouldNotDecide(IReadOnlyList<string> warnings, string reason) =>
        AdmissionVerdict.Deny(AdmissionMessages.InternalError(reason), Outcomes.Error, 500, "InternalError") with { Warnings = warnings };

    private static AdmissionVerdict Denied(
        AdmissionGate gate, IReadOnlyList<string> advisory, IReadOnlyList<string> warnings, ApprovalRequest? request, string outcome, string message) =>
        AdmissionVerdict.Deny(message, outcome) with
        {
            Warnings = warnings,
            Policies = AllPolicies(gate, advisory),
            AuditAnnotations = Annotations(gate, advisory, request, outcome),
        };

    private static AdmissionVerdict DryRunAllowed(AdmissionGate gate, IReadOnlyList<string> advisory, List<string> warnings, string warning) =>
        new()
        {
            Allowed = true,
            Outcome = Outcomes.Allow,
            Warnings = [.. warnings, warning],
            Policies = AllPolicies(gate, advisory),
            AuditAnnotations = Annotations(gate, advisory, null, "dryrun"),
        };

    private static Dictionary<string, string> Annotations(AdmissionGate gate, IReadOnlyList<string> advisory, ApprovalRequest? request, string outcome)
    {
        var annotations = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [AuditKeys.Policies] = string.Join(",", AllPolicies(gate, advisory)),
            [AuditKeys.Outcome] = outcome,
        };
        if (request?.Metadata?.Name is { } name) annotations[AuditKeys.Request] = $"{request.Metadata.NamespaceProperty}/{name}";
        return annotations;
    }

    private static List<string> AllPolicies(AdmissionGate gate, IReadOnlyList<string> advisory) => [.. gate.PolicyNames, .. advisory];
}
