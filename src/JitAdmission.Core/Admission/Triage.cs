using JitAdmission.Core.Messages;

namespace JitAdmission.Core.Admission;

/// <summary>The matched policies sorted by what they mean for the request: gate, fail closed, warn, or only record.</summary>
internal sealed class Triage
{
    public List<ApprovalPolicy> Enforce { get; } = [];
    /// <summary><see cref="Enforce"/> compiled (their auto-approval rules), index for index.</summary>
    public List<CompiledPolicy> EnforceCompiled { get; } = [];
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
                    triage.EnforceCompiled.Add(policy);
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
