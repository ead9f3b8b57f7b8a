using JitAdmission.Core.Admission;
using JitAdmission.Core.Matching;
using JitAdmission.Core.Messages;

namespace JitAdmission.Cli.PolicyTesting;

/// <summary>
/// Runs a case through the webhook's own decision, <see cref="AdmissionEngine.Plan"/>, against a cluster where no
/// approval exists yet: the same matching, CEL, schedules, context ConfigMaps, stacking and fail-closed rules, with the
/// gate set up as the chart installs it (Kubernetes' controllers trusted, the API server authenticated so break-glass
/// annotations count). Each policy's own verdict (<see cref="PolicyEvaluator"/>) says why it did or did not apply.
/// </summary>
internal static class CaseRunner
{
    /// <summary>The namespace the chart installs jit-admission into; it only names where requests would live.</summary>
    public const string OperatorNamespace = "jit-admission";

    private static readonly GateSettings Settings = new()
    {
        OperatorNamespace = OperatorNamespace,
        Trusted = TrustedSubjects.Kubernetes,
        CallerAuthenticated = true,
    };

    public static CaseResult Run(PolicySet policies, PolicyTestCase testCase)
    {
        ArgumentNullException.ThrowIfNull(policies);
        ArgumentNullException.ThrowIfNull(testCase);
        var request = testCase.Request;
        var plan = AdmissionEngine.Plan(new AdmissionEngineInput(request, policies, testCase.Cluster, NoApprovals.Instance, IsOperator: false, Settings, testCase.Now));
        var evaluations = policies.All.Select(p => PolicyEvaluator.Evaluate(p, request, testCase.Cluster, testCase.Now)).ToList();
        var note = Settings.Trusted.Contains(request.UserInfo)
            ? $"{request.UserInfo.Username} is one of the Kubernetes controllers jit-admission never holds (docs/threat-model.md)"
            : request.Resource.Group == ApiConstants.Group ? $"jit-admission's own API ({ApiConstants.Group}) is protected by its guard, never gated" : null;

        return plan switch
        {
            DecidedPlan decided => Decided(decided.Verdict, policies, evaluations) with { Note = note },
            CreatePlan create => Created(create, request, policies, evaluations, testCase.Now),
            BreakGlassPlan breakGlass => Gated(CaseOutcome.BreakGlass, breakGlass.Gate, breakGlass.AdvisoryPolicies, breakGlass.Record.Spec.Scope,
                [.. breakGlass.Warnings, AdmissionMessages.BreakGlassWarning(breakGlass.Record, breakGlass.Gate.Policies)], policies, evaluations),
            // Holding on, or using, an approval needs one to exist; a test starts from none.
            _ => throw new InvalidOperationException($"the gate planned {plan.GetType().Name} in a cluster without approvals"),
        };
    }

    /// <summary>
    /// The gate creates a request: held for approval, or — when the auto-approval rules that held satisfy every entry —
    /// approved at creation, so the webhook uses it in the same call and the change goes through at once.
    /// </summary>
    private static CaseResult Created(
        CreatePlan create, AdmissionAttributes request, PolicySet policies, IReadOnlyList<PolicyEvaluation> evaluations, DateTimeOffset now)
    {
        var draft = create.Request;
        var evaluation = AdmissionEngine.Evaluate(draft, policies, now);
        var outcome = evaluation.IsUsable ? CaseOutcome.AutoApproved : CaseOutcome.NeedsApproval;
        return Gated(outcome, create.Gate, create.AdvisoryPolicies, draft.Spec.Scope, create.Warnings, policies, evaluations) with
        {
            AutoApprovedBy = [.. (draft.Spec.AutoApprovals ?? []).Select(r => $"{r.Policy}/{r.Rule}").Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)],
            // The message kubectl shows when the change is held (before any wait): the policies' messages, the request, the approvers.
            Message = evaluation.IsUsable ? null : AdmissionMessages.NeedsApproval(request, create.Gate.Policies, draft, evaluation, now),
        };
    }

    private static CaseResult Gated(
        CaseOutcome outcome, AdmissionGate gate, IReadOnlyList<string> advisory, ApprovalScope scope, IReadOnlyList<string> warnings,
        PolicySet policies, IReadOnlyList<PolicyEvaluation> evaluations) =>
        new()
        {
            Outcome = outcome,
            Policies = Applied([.. gate.PolicyNames, .. advisory], policies),
            Scope = scope,
            Approvers = gate.Effective.Entries,
            Warnings = warnings,
            Evaluations = evaluations,
        };

    /// <summary>
    /// Answered at once: nothing gated, only Warn/Audit policies, a dry run, or denied (an Enforce policy failed to evaluate,
    /// a break-glass annotation without a reason). When Enforce policies matched (a dry run, a refused break-glass), what
    /// they ask for is worked out as the gate does.
    /// </summary>
    private static CaseResult Decided(AdmissionVerdict verdict, PolicySet policies, IReadOnlyList<PolicyEvaluation> evaluations)
    {
        var applied = Applied(verdict.Policies, policies);
        var matchedEnforce = evaluations
            .Where(e => e.IsMatched && e.Policy.Enforcement == Enforcement.Enforce && applied.Any(p => p.Name == e.Policy.Name))
            .Select(e => e.Policy.Policy)
            .ToList();
        var effective = matchedEnforce.Count > 0 ? EffectiveApproval.From(matchedEnforce) : null;
        return new CaseResult
        {
            Outcome = !verdict.Allowed ? CaseOutcome.Denied : verdict.Outcome == Outcomes.Warn ? CaseOutcome.Warned : CaseOutcome.Allowed,
            Policies = applied,
            Scope = effective?.Scope,
            Approvers = effective?.Entries ?? [],
            Message = verdict.Allowed ? null : verdict.Message,
            Warnings = verdict.Warnings,
            Evaluations = evaluations,
        };
    }

    private static List<AppliedPolicy> Applied(IEnumerable<string> names, PolicySet policies) =>
        [.. names.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)
            .Select(name => new AppliedPolicy(name, policies.Get(name)?.Enforcement ?? Enforcement.Enforce))];
}
