namespace JitAdmission.Core.Validation;

/// <summary>Rules for <c>spec.match</c>.</summary>
internal static class MatchValidator
{
    private const string Path = "spec.match";

    public static void Validate(PolicyMatch match, ValidationErrors errors)
    {
        if (match.Resources.Count == 0) errors.Add($"{Path}.resources", "at least one resource rule is required");
        for (var i = 0; i < match.Resources.Count; i++) ValidateRule(match.Resources[i], $"{Path}.resources[{i}]", errors);

        for (var i = 0; i < match.Namespaces.Count; i++)
        {
            var ns = match.Namespaces[i];
            if (!IsNamespacePattern(ns))
            {
                errors.Add($"{Path}.namespaces[{i}]", $"\"{ns}\" is not a namespace name or glob (lower-case letters, digits, '-', '*', '?'; at most 63 characters)");
            }
        }

        for (var i = 0; i < match.Names.Count; i++)
        {
            if (!IsNamePattern(match.Names[i])) errors.Add($"{Path}.names[{i}]", $"\"{match.Names[i]}\" is not a name or glob (non-empty, no spaces, at most 253 characters)");
        }

        ValidateSelector(match.NamespaceSelector, $"{Path}.namespaceSelector", errors);
        ValidateSelector(match.ObjectSelector, $"{Path}.objectSelector", errors);

        if (match.Subjects is { } subjects)
        {
            ValidateSubjects(subjects.Include, $"{Path}.subjects.include", errors);
            ValidateSubjects(subjects.Exclude, $"{Path}.subjects.exclude", errors);
        }
    }

    private static void ValidateRule(ResourceRule rule, string path, ValidationErrors errors)
    {
        if (rule.ApiGroups.Count == 0) errors.Add($"{path}.apiGroups", "at least one API group is required (\"\" is the core group, \"*\" is every group)");
        for (var i = 0; i < rule.ApiGroups.Count; i++)
        {
            if (!CompiledResourceRule.IsGroup(rule.ApiGroups[i])) errors.Add($"{path}.apiGroups[{i}]", $"\"{rule.ApiGroups[i]}\" is not an API group name or \"*\"");
        }

        for (var i = 0; i < rule.ApiVersions.Count; i++)
        {
            if (!CompiledResourceRule.IsVersion(rule.ApiVersions[i])) errors.Add($"{path}.apiVersions[{i}]", $"\"{rule.ApiVersions[i]}\" is not an API version or \"*\"");
        }

        if (rule.Resources.Count == 0) errors.Add($"{path}.resources", "at least one resource is required (e.g. deployments, pods/exec, */scale, *)");
        for (var i = 0; i < rule.Resources.Count; i++)
        {
            if (!ResourcePattern.TryParse(rule.Resources[i], out _, out var error)) errors.Add($"{path}.resources[{i}]", error);
        }

        if (rule.Operations.Count == 0) errors.Add($"{path}.operations", "at least one operation is required (CREATE, UPDATE, DELETE, CONNECT or *)");
        for (var i = 0; i < rule.Operations.Count; i++)
        {
            if (!Operations.IsValid(rule.Operations[i]))
            {
                errors.Add($"{path}.operations[{i}]", $"\"{rule.Operations[i]}\" is not an operation (use CREATE, UPDATE, DELETE, CONNECT or *)");
            }
        }
    }

    internal static void ValidateSelector(V1LabelSelector? selector, string path, ValidationErrors errors)
    {
        if (selector is null) return;
        if (selector.MatchLabels is not null)
        {
            foreach (var (key, value) in selector.MatchLabels)
            {
                if (!NameRules.IsQualifiedName(key)) errors.Add($"{path}.matchLabels", $"\"{key}\" is not a valid label key");
                if (!NameRules.IsLabelValue(value)) errors.Add($"{path}.matchLabels[{key}]", $"\"{value}\" is not a valid label value");
            }
        }

        if (selector.MatchExpressions is null) return;
        for (var i = 0; i < selector.MatchExpressions.Count; i++)
        {
            var requirement = selector.MatchExpressions[i];
            var at = $"{path}.matchExpressions[{i}]";
            if (!NameRules.IsQualifiedName(requirement.Key)) errors.Add($"{at}.key", $"\"{requirement.Key}\" is not a valid label key");
            var values = requirement.Values ?? [];
            switch (requirement.OperatorProperty)
            {
                case LabelSelectorMatcher.In or LabelSelectorMatcher.NotIn:
                    if (values.Count == 0) errors.Add($"{at}.values", $"operator {requirement.OperatorProperty} needs at least one value");
                    for (var v = 0; v < values.Count; v++)
                    {
                        if (!NameRules.IsLabelValue(values[v])) errors.Add($"{at}.values[{v}]", $"\"{values[v]}\" is not a valid label value");
                    }

                    break;
                case LabelSelectorMatcher.Exists or LabelSelectorMatcher.DoesNotExist:
                    if (values.Count > 0) errors.Add($"{at}.values", $"operator {requirement.OperatorProperty} takes no values");
                    break;
                default:
                    errors.Add($"{at}.operator", $"\"{requirement.OperatorProperty}\" is not an operator (use In, NotIn, Exists or DoesNotExist)");
                    break;
            }
        }
    }

    private static void ValidateSubjects(List<SubjectRef> subjects, string path, ValidationErrors errors)
    {
        for (var i = 0; i < subjects.Count; i++)
        {
            var subject = subjects[i];
            var at = $"{path}[{i}]";
            if (!IsNamePattern(subject.Name)) errors.Add($"{at}.name", "a non-empty name or glob without spaces is required");
            if (subject.Kind == SubjectKind.ServiceAccount)
            {
                if (!NameRules.IsDnsLabel(subject.Namespace)) errors.Add($"{at}.namespace", "a ServiceAccount subject needs the namespace of the service account");
            }
            else if (!string.IsNullOrEmpty(subject.Namespace))
            {
                errors.Add($"{at}.namespace", $"only ServiceAccount subjects have a namespace, not {subject.Kind}");
            }
        }
    }

    private static bool IsNamespacePattern(string? pattern) =>
        !string.IsNullOrEmpty(pattern) && pattern.Length <= NameRules.MaxLabelLength &&
        pattern.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '-' or '*' or '?');

    /// <summary>Object names include ':' (RBAC), '.', '@' and more, so only blanks and control characters are refused.</summary>
    internal static bool IsNamePattern(string? pattern) =>
        !string.IsNullOrEmpty(pattern) && pattern.Length <= NameRules.MaxSubdomainLength &&
        !pattern.Any(c => char.IsWhiteSpace(c) || char.IsControl(c));
}
