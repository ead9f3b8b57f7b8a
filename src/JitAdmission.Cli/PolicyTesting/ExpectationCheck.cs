namespace JitAdmission.Cli.PolicyTesting;

/// <summary>One field where the result is not what the case expected.</summary>
internal sealed record Difference(string Field, string Expected, string Actual);

/// <summary>Compares a result with what its case expects, field by field; only the fields the case gives.</summary>
internal static class ExpectationCheck
{
    public static IReadOnlyList<Difference> Compare(CaseExpectation expect, CaseResult result)
    {
        ArgumentNullException.ThrowIfNull(expect);
        ArgumentNullException.ThrowIfNull(result);
        var differences = new List<Difference>();
        void Check(string field, string? expected, string actual)
        {
            if (expected is not null && expected != actual) differences.Add(new Difference(field, expected, actual));
        }

        Check("outcome", expect.Outcome?.ToString(), result.Outcome.ToString());
        Check("gated", expect.Gated is { } gated ? Bool(gated) : null, Bool(result.Gated));
        Check("policies", expect.Policies is { } policies ? List(policies) : null, List(result.Policies.Select(p => p.Name)));
        Check("enforcement", expect.Enforcement?.ToString(), result.Enforcement?.ToString() ?? None);
        Check("scope", expect.Scope?.ToString(), result.Scope?.ToString() ?? None);
        Check("approvers", expect.Approvers is { } approvers ? Approvers(approvers) : null,
            Approvers(result.Approvers.Select(a => new ExpectedApprover(a.Name, a.Users, a.Groups, a.MinApprovals))));
        Check("autoApprovedBy", expect.AutoApprovedBy is { } rules ? List(rules) : null, List(result.AutoApprovedBy));
        if (expect.MessageContains is { } text
            && !(result.Message ?? "").Contains(text, StringComparison.Ordinal)
            && !result.Warnings.Any(w => w.Contains(text, StringComparison.Ordinal)))
        {
            string[] said = [.. result.Message is { } message ? [message] : Array.Empty<string>(), .. result.Warnings];
            differences.Add(new Difference("messageContains", text, said.Length > 0 ? string.Join("\n", said) : "(no message and no warning)"));
        }

        return differences;
    }

    /// <summary>"sre: 2 of group sre; security: 1 of user carol", entries by name, so that order does not matter.</summary>
    public static string Approvers(IEnumerable<ExpectedApprover> entries)
    {
        var text = entries
            .OrderBy(e => e.Name, StringComparer.Ordinal)
            .Select(e => $"{e.Name}: {e.MinApprovals} of " + string.Join(", ",
                e.Groups.Order(StringComparer.Ordinal).Select(g => $"group {g}").Concat(e.Users.Order(StringComparer.Ordinal).Select(u => $"user {u}"))))
            .ToList();
        return text.Count == 0 ? None : string.Join("; ", text);
    }

    private const string None = "(none)";

    private static string Bool(bool value) => value ? "true" : "false";

    private static string List(IEnumerable<string> names)
    {
        var sorted = names.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        return sorted.Count == 0 ? "[]" : $"[{string.Join(", ", sorted)}]";
    }
}
