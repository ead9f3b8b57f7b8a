using JitAdmission.Core.Messages;

namespace JitAdmission.Core.Admission;

/// <summary>
/// Every answer the gate gives on a gated request: allowed (a use recorded, a retry, break-glass, a dry run, advisory
/// policies only) or denied (not approved yet, denied, expired, a policy error, an internal error), each with its
/// warnings, the policies involved and the audit annotations.
/// </summary>
public static class GateVerdicts
{
    /// <summary>The approval's use was recorded: allowed, with who approved it in the audit log.</summary>
    public static AdmissionVerdict Consumed(ConsumePlan plan, ApprovalRequest used)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(used);
        return Allowed(plan.Gate, plan.AdvisoryPolicies, plan.Warnings, used, Outcomes.Consume, plan.Evaluation.ApprovedBy);
    }

    /// <summary>The identical connection moments after its approval was used (<see cref="AdmissionEngine.RetryGrace"/>): kubectl's protocol fallback.</summary>
    internal static AdmissionVerdict RetryAllowed(AdmissionGate gate, IReadOnlyList<string> advisory, List<string> warnings, UsedApproval used) =>
        Allowed(gate, advisory, warnings, used.Request, Outcomes.Retry, used.Evaluation.ApprovedBy);

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

    /// <summary>The held request was deleted while the call waited for it.</summary>
    public static AdmissionVerdict Deleted(AdmissionAttributes request, HoldPlan plan)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(plan);
        var gone = $"{AdmissionMessages.Gated(request)} was not let through: ApprovalRequest {plan.Request.Metadata?.Name} in namespace "
            + $"{plan.Request.Metadata?.NamespaceProperty} was deleted while the call waited for it. Run the same command again for a new request.";
        return Denied(plan.Gate, plan.AdvisoryPolicies, plan.Warnings, plan.Request, Outcomes.Deny, gone) with { Denial = GateDenial.For(DenialKind.Expired, plan.Request) };
    }

    /// <summary>An approver denied the held request.</summary>
    public static AdmissionVerdict DeniedByApprover(AdmissionAttributes request, HoldPlan plan, ApprovalRequest current, ApprovalEvaluation evaluation)
    {
        ArgumentNullException.ThrowIfNull(plan);
        return Denied(plan.Gate, plan.AdvisoryPolicies, plan.Warnings, current, Outcomes.Deny, AdmissionMessages.Denied(request, current, evaluation))
            with { Denial = GateDenial.For(DenialKind.Denied, current) };
    }

    /// <summary>The held request expired (or its approval window ended) before the call could use it.</summary>
    public static AdmissionVerdict Expired(AdmissionAttributes request, HoldPlan plan, ApprovalRequest current, ApprovalEvaluation evaluation)
    {
        ArgumentNullException.ThrowIfNull(plan);
        return Denied(plan.Gate, plan.AdvisoryPolicies, plan.Warnings, current, Outcomes.Deny, AdmissionMessages.Expired(request, current, evaluation))
            with { Denial = GateDenial.For(DenialKind.Expired, current) };
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
        var kind = evaluation.MissingPolicies.Count > 0 || !evaluation.Effective.CanBeSatisfied ? DenialKind.Unsatisfiable : DenialKind.NeedsApproval;
        return Denied(plan.Gate, plan.AdvisoryPolicies, plan.Warnings, current, Outcomes.Hold, message) with { Denial = GateDenial.For(kind, current) };
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

    internal static AdmissionVerdict CouldNotDecide(IReadOnlyList<string> warnings, string reason) =>
        AdmissionVerdict.Deny(AdmissionMessages.InternalError(reason), Outcomes.Error, 500, "InternalError") with
        {
            Warnings = warnings,
            Denial = new GateDenial(DenialKind.InternalError),
        };

    /// <summary>Fail closed: an Enforce policy that cannot be evaluated denies, naming the policy and the error.</summary>
    internal static AdmissionVerdict PolicyError(AdmissionAttributes request, Triage triage)
    {
        var errors = string.Join("; ", triage.Errors.Select(e => $"policy {e.Policy.Name} could not be evaluated: {e.Reason}"));
        var message = $"{AdmissionMessages.Gated(request)} is denied: {errors}. Enforce policies fail closed; ask the cluster admin to fix the policy.";
        var names = triage.Errors.Select(e => e.Policy.Name).Concat(triage.Advisory).ToList();
        return AdmissionVerdict.Deny(message, Outcomes.Error) with
        {
            Denial = new GateDenial(DenialKind.PolicyError),
            Warnings = triage.Warnings,
            Policies = names,
            AuditAnnotations = new Dictionary<string, string>
            {
                [AuditKeys.Policies] = string.Join(",", names),
                [AuditKeys.Outcome] = Outcomes.Error,
            },
        };
    }

    /// <summary>Only Warn/Audit policies matched (or failed): allowed, with warnings and the audit record.</summary>
    internal static AdmissionVerdict Advisory(Triage triage)
    {
        if (triage.Advisory.Count == 0 && triage.Warnings.Count == 0) return AdmissionVerdict.Allow;
        var outcome = triage.AnyWarn ? Outcomes.Warn : Outcomes.Audit;
        return new AdmissionVerdict
        {
            Allowed = true,
            Outcome = outcome,
            Warnings = triage.Warnings,
            Policies = triage.Advisory,
            AuditAnnotations = new Dictionary<string, string> { [AuditKeys.Policies] = string.Join(",", triage.Advisory), [AuditKeys.Outcome] = outcome },
        };
    }

    internal static AdmissionVerdict Denied(
        AdmissionGate gate, IReadOnlyList<string> advisory, IReadOnlyList<string> warnings, ApprovalRequest? request, string outcome, string message) =>
        AdmissionVerdict.Deny(message, outcome) with
        {
            Warnings = warnings,
            Policies = AllPolicies(gate, advisory),
            AuditAnnotations = Annotations(gate, advisory, request, outcome),
        };

    /// <summary>An update that changes nothing but fields the API server keeps (<see cref="Fingerprinting.NoOpUpdate"/>): allowed, and said so.</summary>
    internal static AdmissionVerdict NoChangeAllowed(AdmissionGate gate, IReadOnlyList<string> advisory, List<string> warnings) =>
        new()
        {
            Allowed = true,
            Outcome = Outcomes.Allow,
            Warnings = warnings,
            Policies = AllPolicies(gate, advisory),
            AuditAnnotations = Annotations(gate, advisory, null, "nochange"),
        };

    /// <summary>A Helm release record whose revision's gated objects an approved change set covers: Helm may go on.</summary>
    internal static AdmissionVerdict HelmReleaseAllowed(AdmissionGate gate, ApprovalRequest set) =>
        Allowed(gate, [], [], set, Outcomes.Allow, [.. set.Spec.Reviews.Select(r => r.Reviewer)]);

    internal static AdmissionVerdict DryRunAllowed(AdmissionGate gate, IReadOnlyList<string> advisory, List<string> warnings, string warning) =>
        new()
        {
            Allowed = true,
            Outcome = Outcomes.Allow,
            Warnings = [.. warnings, warning],
            Policies = AllPolicies(gate, advisory),
            AuditAnnotations = Annotations(gate, advisory, null, "dryrun"),
        };

    internal static string BadBreakGlassMessage(AdmissionAttributes request) =>
        $"{AdmissionMessages.Gated(request)}: the {ApiConstants.BreakGlassAnnotation} annotation needs a reason, e.g. "
        + $"{ApiConstants.BreakGlassAnnotation}: \"INC-1234 checkout is down\"; it is recorded and reviewed afterwards.";

    private static AdmissionVerdict Allowed(
        AdmissionGate gate, IReadOnlyList<string> advisory, IReadOnlyList<string> warnings, ApprovalRequest used, string outcome, IReadOnlyList<string> approvers)
    {
        var annotations = Annotations(gate, advisory, used, outcome);
        annotations[AuditKeys.Approvers] = string.Join(",", approvers);
        return new AdmissionVerdict
        {
            Allowed = true,
            Outcome = outcome,
            Warnings = warnings,
            Policies = AllPolicies(gate, advisory),
            AuditAnnotations = annotations,
        };
    }

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
