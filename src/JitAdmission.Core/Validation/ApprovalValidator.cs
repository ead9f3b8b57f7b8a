using JitAdmission.Core.Time;

namespace JitAdmission.Core.Validation;

/// <summary>Rules for <c>spec.approval</c>, <c>spec.breakGlass</c> and <c>spec.notify</c>.</summary>
internal static class ApprovalValidator
{
    /// <summary>The webhook must answer before the API server's webhook timeout (at most 30s).</summary>
    public static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(25);

    public static void Validate(ApprovalPolicySpec spec, ValidationErrors errors)
    {
        const string path = "spec.approval";
        var approval = spec.Approval;
        if (approval.Approvers.Count == 0) errors.Add($"{path}.approvers", "at least one approver entry is required");

        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < approval.Approvers.Count; i++)
        {
            var rule = approval.Approvers[i];
            var at = $"{path}.approvers[{i}]";
            if (rule.Users.Count == 0 && rule.Groups.Count == 0) errors.Add(at, "list users or groups who may approve");
            NonBlank(rule.Users, $"{at}.users", errors);
            NonBlank(rule.Groups, $"{at}.groups", errors);
            for (var g = 0; g < rule.Groups.Count; g++)
            {
                if (UniversalGroups.Contains(rule.Groups[g]) || rule.Groups[g].StartsWith("system:serviceaccounts:", StringComparison.Ordinal))
                    errors.Add($"{at}.groups[{g}]", $"\"{rule.Groups[g]}\" is a group every account of its kind has (any user, or any ServiceAccount "
                        + "and so any pod), so it makes everyone an approver; name the people or a group of approvers");
            }
            if (rule.MinApprovals < 1) errors.Add($"{at}.minApprovals", $"{rule.MinApprovals} must be at least 1");

            // With users only, more approvals than distinct people can never be reached.
            var people = rule.Users.Where(u => !string.IsNullOrWhiteSpace(u)).Distinct(StringComparer.Ordinal).Count();
            if (rule.Groups.Count == 0 && people > 0 && rule.MinApprovals > people)
            {
                errors.Add($"{at}.minApprovals", $"{rule.MinApprovals} exceeds the {people} user(s) listed, so it could never be met");
            }

            if (!string.IsNullOrEmpty(rule.Name) && !names.Add(rule.Name)) errors.Add($"{at}.name", $"duplicate approver entry name \"{rule.Name}\"");
        }

        Positive(approval.RequestTtl, $"{path}.requestTTL", errors);
        Positive(approval.ValidFor, $"{path}.validFor", errors);

        if (!GoDuration.TryParse(approval.Wait, out var wait, out var waitError))
        {
            errors.Add($"{path}.wait", waitError);
        }
        else if (wait < TimeSpan.Zero)
        {
            errors.Add($"{path}.wait", $"{approval.Wait} must not be negative");
        }
        else if (wait > MaxWait)
        {
            errors.Add($"{path}.wait", $"{approval.Wait} exceeds the maximum of {GoDuration.Format(MaxWait)}");
        }

        if (approval.MaxUses is < 0) errors.Add($"{path}.maxUses", $"{approval.MaxUses} must not be negative (0 means unlimited within validFor)");
        if (approval.Extensions is { } extensions)
        {
            if (extensions.Max is < 0 or > ExtensionSettings.MaxAllowed)
                errors.Add($"{path}.extensions.max", $"{extensions.Max} must be between 0 (no extensions) and {ExtensionSettings.MaxAllowed}");
            if (!Enum.IsDefined(extensions.Approval))
                errors.Add($"{path}.extensions.approval", $"\"{extensions.Approval}\" is not Required or Automatic");
            if (extensions.Max > 0 && approval.Scope == ApprovalScope.Exact)
                errors.Add($"{path}.extensions", "an Exact approval is for one change and cannot be extended; use scope Object or Grant, or leave extensions out");
        }

        if (spec.BreakGlass is { } breakGlass)
        {
            if (breakGlass.Groups.Count == 0 && breakGlass.Users.Count == 0) errors.Add("spec.breakGlass", "list the users or groups who may break glass");
            NonBlank(breakGlass.Users, "spec.breakGlass.users", errors);
            NonBlank(breakGlass.Groups, "spec.breakGlass.groups", errors);
        }

        for (var i = 0; i < spec.Notify.Count; i++)
        {
            var url = spec.Notify[i].Url;
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            {
                errors.Add($"spec.notify[{i}].url", $"\"{url}\" is not an absolute http or https URL");
            }
        }
    }

    /// <summary>
    /// Groups Kubernetes gives to every account of a kind (every authenticated user, every ServiceAccount, every
    /// anonymous caller), plus <c>system:serviceaccounts:NS</c> (every pod of a namespace): as approvers they would
    /// let anyone, or any workload, approve.
    /// </summary>
    private static readonly HashSet<string> UniversalGroups = new(StringComparer.Ordinal)
    {
        "system:authenticated", "system:unauthenticated", "system:serviceaccounts",
    };

    private static void Positive(string text, string path, ValidationErrors errors)
    {
        if (!GoDuration.TryParse(text, out var value, out var error)) errors.Add(path, error);
        else if (value <= TimeSpan.Zero) errors.Add(path, $"{text} must be greater than 0");
    }

    private static void NonBlank(List<string> values, string path, ValidationErrors errors)
    {
        for (var i = 0; i < values.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(values[i])) errors.Add($"{path}[{i}]", "must not be empty");
        }
    }
}
