using JitAdmission.Core.Cel;
using JitAdmission.Core.Scheduling;

namespace JitAdmission.Core.Validation;

/// <summary>
/// Whether a policy can be enforced as written. The webhook rejects policies with errors at <c>kubectl apply</c>;
/// the controller reports them in the Ready condition. Pure: the same answer in every replica.
/// </summary>
public static class PolicyValidator
{
    /// <summary>Human-readable errors with field paths (<c>spec.approval.wait: 30s exceeds the maximum of 25s</c>); empty when valid.</summary>
    public static IReadOnlyList<string> Validate(ApprovalPolicy policy) => Analyze(policy).Errors;

    /// <summary>Validates and keeps what validation had to build anyway (compiled conditions, parsed schedule),
    /// so a compiled policy never compiles its CEL twice.</summary>
    internal static PolicyAnalysis Analyze(ApprovalPolicy policy)
    {
        var spec = policy.Spec;
        var errors = new ValidationErrors();

        MatchValidator.Validate(spec.Match, errors);
        var matchValid = errors.Count == 0;

        var contextNames = ValidateContext(spec.Context, errors);
        var conditions = ValidateConditions(spec.Conditions, contextNames, errors);

        ParsedSchedule? schedule = null;
        if (spec.Schedule is not null)
        {
            if (ParsedSchedule.TryParse(spec.Schedule, out var parsed, out var scheduleErrors, "spec.schedule")) schedule = parsed;
            errors.AddRange(scheduleErrors);
        }

        if (!Enum.IsDefined(spec.Enforcement)) errors.Add("spec.enforcement", $"\"{spec.Enforcement}\" is not Enforce, Warn or Audit");
        if (!Enum.IsDefined(spec.Approval.Scope)) errors.Add("spec.approval.scope", $"\"{spec.Approval.Scope}\" is not Exact, Object or Grant");
        ApprovalValidator.Validate(spec, errors);
        var autoApprovals = ValidateAutoApprovals(spec, contextNames, errors);

        return new PolicyAnalysis(errors.All, matchValid, conditions, schedule) { AutoApprovals = autoApprovals };
    }

    private static HashSet<string> ValidateContext(List<ContextReference> context, ValidationErrors errors)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < context.Count; i++)
        {
            var reference = context[i];
            var at = $"spec.context[{i}]";
            if (!NameRules.IsCelIdentifier(reference.Name))
            {
                errors.Add($"{at}.name", $"\"{reference.Name}\" is not a CEL identifier (letters, digits and '_', not starting with a digit, not a reserved word)");
            }
            else if (!names.Add(reference.Name))
            {
                errors.Add($"{at}.name", $"duplicate context name \"{reference.Name}\"");
            }

            if (!NameRules.IsDnsLabel(reference.ConfigMap.Namespace)) errors.Add($"{at}.configMap.namespace", $"\"{reference.ConfigMap.Namespace}\" is not a namespace name");
            if (!NameRules.IsDnsSubdomain(reference.ConfigMap.Name)) errors.Add($"{at}.configMap.name", $"\"{reference.ConfigMap.Name}\" is not a ConfigMap name");
        }

        return names;
    }

    private static List<CompiledCondition> ValidateConditions(List<PolicyCondition> conditions, HashSet<string> contextNames, ValidationErrors errors)
    {
        var compiled = new List<CompiledCondition>(conditions.Count);
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < conditions.Count; i++)
        {
            var condition = conditions[i];
            var at = $"spec.conditions[{i}]";
            if (string.IsNullOrWhiteSpace(condition.Name)) errors.Add($"{at}.name", "a condition name is required (it is shown when the condition fails)");
            else if (!names.Add(condition.Name)) errors.Add($"{at}.name", $"duplicate condition name \"{condition.Name}\"");

            var result = CompiledCondition.Compile(condition, contextNames);
            if (result.Error is not null) errors.Add($"{at}.expression", result.Error);
            compiled.Add(result);
        }

        return compiled;
    }

    /// <summary>
    /// Each rule has a unique name, compiles over the conditions' variables, and names at least one of this policy's
    /// (named) approver entries: a rule approves exactly the entries it lists, so a typo must not approve nothing silently.
    /// </summary>
    private static List<CompiledCondition> ValidateAutoApprovals(ApprovalPolicySpec spec, HashSet<string> contextNames, ValidationErrors errors)
    {
        var rules = spec.Approval.AutoApprove;
        var compiled = new List<CompiledCondition>(rules.Count);
        var names = new HashSet<string>(StringComparer.Ordinal);
        var entries = spec.Approval.Approvers.Select(a => a.Name).OfType<string>().ToHashSet(StringComparer.Ordinal);
        for (var i = 0; i < rules.Count; i++)
        {
            var rule = rules[i];
            var at = $"spec.approval.autoApprove[{i}]";
            if (!NameRules.IsDnsLabel(rule.Name)) errors.Add($"{at}.name", $"\"{rule.Name}\" is not a name (lower-case letters, digits and '-', at most 63): it is recorded on every request the rule approves");
            else if (!names.Add(rule.Name)) errors.Add($"{at}.name", $"duplicate auto-approval rule name \"{rule.Name}\"");
            if (rule.Approves.Count == 0) errors.Add($"{at}.approves", "name the approver entries this rule satisfies (spec.approval.approvers[].name)");
            for (var a = 0; a < rule.Approves.Count; a++)
            {
                if (!entries.Contains(rule.Approves[a]))
                    errors.Add($"{at}.approves[{a}]", $"\"{rule.Approves[a]}\" is not the name of an approver entry of this policy"
                        + (entries.Count == 0 ? " (give the entries names)" : $" ({string.Join(", ", entries.Order(StringComparer.Ordinal))})"));
            }

            var result = CompiledCondition.Compile(new PolicyCondition { Name = rule.Name, Expression = rule.Rule }, contextNames);
            if (string.IsNullOrWhiteSpace(rule.Rule)) errors.Add($"{at}.rule", "a CEL rule is required");
            else if (result.Error is not null) errors.Add($"{at}.rule", result.Error);
            compiled.Add(result);
        }

        return compiled;
    }
}
