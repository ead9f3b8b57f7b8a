using JitAdmission.Core.Api;
using JitAdmission.Core.Matching;
using JitAdmission.Core.Messages;

namespace JitAdmission.Core.Admission;

/// <summary>
/// The gate's decision (docs/semantics.md; DESIGN.md "Admission flow"), pure: from the request, the policies, live
/// context, the cached approvals and the time it plans what the webhook does. The webhook executes the plan (one API
/// write or a wait) and hands the result back to the engine for the verdict.
/// </summary>
public static partial class AdmissionEngine
{
    /// <summary>The shared answer for everything not gated: no allocation on the hot path.</summary>
    private static readonly DecidedPlan NothingGated = new(AdmissionVerdict.Allow);

    public static AdmissionPlan Plan(AdmissionEngineInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var request = input.Request;
        // Fast path: the index answers most requests without touching the object.
        if (input.Policies.ApplicableCandidates(request).Count == 0) return NothingGated;
        // jit-admission's own writes are never gated, nor is its API: gating reviews could lock approvers out, and
        // writes to approval requests and policies are the guard's business. Nor is the control plane running the cluster.
        if (input.IsOperator || request.Resource.Group == ApiConstants.Group || ControlPlaneSubjects.Contains(request.UserInfo)) return NothingGated;

        var triage = Triage.Of(PolicyEvaluator.EvaluateApplicable(input.Policies, request, input.Cluster, input.Now), request);
        if (triage.Errors.Count > 0) return new DecidedPlan(PolicyErrorDenial(request, triage));
        if (triage.Enforce.Count == 0) return new DecidedPlan(Advisory(triage));
        return Gated(input, triage);
    }

    /// <summary>Fail closed: an Enforce policy that cannot be evaluated denies, naming the policy and the error.</summary>
    private static AdmissionVerdict PolicyErrorDenial(AdmissionAttributes request, Triage triage)
    {
        var errors = string.Join("; ", triage.Errors.Select(e => $"policy {e.Policy.Name} could not be evaluated: {e.Reason}"));
        var message = $"{AdmissionMessages.Gated(request)} is denied: {errors}. Enforce policies fail closed; ask the cluster admin to fix the policy.";
        var names = triage.Errors.Select(e => e.Policy.Name).Concat(triage.Advisory).ToList();
        return AdmissionVerdict.Deny(message, Outcomes.Error) with
        {
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
    private static AdmissionVerdict Advisory(Triage triage)
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

    /// <summary>The matched policies sorted by what they mean for the request.</summary>
    private sealed class Triage
    {
        public List<ApprovalPolicy> Enforce { get; } = [];
        public List<PolicyEvaluation> Errors { get; } = [];
        public List<string> Warnings { get; } = [];
        public List<string> Advisory { get; } = [];
        public bool AnyWarn { get; private set; }

        public static Triage Of(IReadOnlyList<PolicyEvaluation> evaluations, AdmissionAttributes request)
        {
            var triage = new Triage();
            foreach (var evaluation in evaluations)
            {
                var policy = evaluation.Policy;
                switch (evaluation.Outcome, policy.Enforcement)
                {
                    case (PolicyOutcome.Matched, Enforcement.Enforce):
                        triage.Enforce.Add(policy.Policy);
                        break;
                    case (PolicyOutcome.Error, Enforcement.Enforce):
                        triage.Errors.Add(evaluation);
                        break;
                    case (PolicyOutcome.Matched, Enforcement.Warn):
                        triage.AnyWarn = true;
                        triage.Advisory.Add(policy.Name);
                        triage.Warnings.Add($"{AdmissionMessages.Gated(request)} is gated by policy {policy.Name} in Warn mode: allowed now, "
                            + "it would need approval under Enforce");
                        break;
                    case (PolicyOutcome.Matched, _):
                        triage.Advisory.Add(policy.Name);
                        break;
                    case (PolicyOutcome.Error, _):
                        // Warn and Audit never block: an error there is only worth a warning.
                        triage.AnyWarn = true;
                        triage.Warnings.Add($"policy {policy.Name} ({policy.Enforcement}) could not be evaluated: {evaluation.Reason}");
                        break;
                }
            }

            return triage;
        }
    }
}
