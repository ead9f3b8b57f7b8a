using JitAdmission.Core.Cel;

namespace JitAdmission.Core.Approval;

/// <summary>
/// Auto-approval rules (docs/policies.md "Auto-approval"): which rules hold for a gated call when jit-admission creates
/// its request, and which approver entries the recorded rules satisfy under the live policies. A rule satisfies only
/// the entries it names, never a break-glass request, and stops counting once the policy no longer has it.
/// </summary>
public static class AutoApproval
{
    /// <summary>The rules of <paramref name="policies"/> that hold for the call, and why any could not be evaluated.</summary>
    public static (List<AutoApprovalRecord> Records, List<string> Errors) Evaluate(IReadOnlyList<CompiledPolicy> policies, MatchInput input)
    {
        ArgumentNullException.ThrowIfNull(policies);
        ArgumentNullException.ThrowIfNull(input);
        var records = new List<AutoApprovalRecord>();
        var errors = new List<string>();
        foreach (var policy in policies)
        {
            var rules = policy.Policy.Spec.Approval.AutoApprove;
            if (rules.Count == 0 || !policy.IsValid || policy.AutoApprovals.Count != rules.Count) continue;
            var variables = input.Cel.ForPolicy(policy.Policy.Spec.Context);
            for (var i = 0; i < rules.Count; i++)
            {
                var result = policy.AutoApprovals[i].Evaluate(variables);
                if (result.Outcome == ConditionOutcome.True)
                    records.Add(new AutoApprovalRecord { Policy = policy.Name, Rule = rules[i].Name, Approves = [.. rules[i].Approves] });
                else if (result.Outcome == ConditionOutcome.Error)
                    errors.Add($"auto-approval rule '{rules[i].Name}' of policy {policy.Name} could not be evaluated, so people must approve: "
                        + result.Message);
            }
        }

        return (records, errors);
    }

    /// <summary>
    /// For each entry of <paramref name="effective"/> (index for index), the rule that satisfies it ("policy/rule"), or
    /// null: an entry counts as satisfied when a recorded rule names it and the live policy still has that rule naming it.
    /// </summary>
    public static string?[] SatisfiedEntries(ApprovalRequestSpec spec, IReadOnlyList<ApprovalPolicy> present, EffectiveApproval effective)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(present);
        ArgumentNullException.ThrowIfNull(effective);
        var satisfied = new string?[effective.Entries.Count];
        if (spec.BreakGlass || spec.AutoApprovals is not { Count: > 0 } records) return satisfied;
        foreach (var record in records)
        {
            var live = present.FirstOrDefault(p => p.Metadata?.Name == record.Policy)?.Spec.Approval.AutoApprove
                .FirstOrDefault(r => r.Name == record.Rule);
            if (live is null) continue;
            for (var i = 0; i < effective.Entries.Count; i++)
            {
                var entry = effective.Entries[i];
                if (satisfied[i] is null && entry.Policy == record.Policy && entry.DeclaredName is { } name
                    && record.Approves.Contains(name, StringComparer.Ordinal) && live.Approves.Contains(name, StringComparer.Ordinal))
                    satisfied[i] = $"{record.Policy}/{record.Rule}";
            }
        }

        return satisfied;
    }
}
