using System.Globalization;
using System.Text;
using JitAdmission.Cli.PolicyTesting;
using JitAdmission.Core.Admission;
using JitAdmission.Core.Matching;
using JitAdmission.Core.Messages;

namespace JitAdmission.Cli.Output;

/// <summary>
/// <c>kubectl jit test</c> for people: per test file a table with one row per case, then for every failed case (every
/// case with <c>--verbose</c>) what differed, the request, each policy's verdict and why, and a summary line.
/// </summary>
internal static class PolicyTestReport
{
    public static string Render(IReadOnlyList<SuiteRun> runs, bool verbose)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var text = new StringBuilder();
        foreach (var run in runs)
        {
            text.Append(Escape(run.Suite.File)).Append(" (").Append(TerminalText.Escape(run.Suite.Name)).Append(")\n");
            // Auto-approval rules get a column only in files where one held: most policies have none.
            var rules = run.Cases.Any(c => c.Result.AutoApprovedBy.Count > 0);
            var table = new TextTable(["RESULT", "CASE", "OUTCOME", "POLICIES", "SCOPE", "APPROVERS", .. rules ? ["AUTO-APPROVED BY"] : Array.Empty<string>()]);
            foreach (var c in run.Cases)
            {
                var result = c.Result;
                table.Add([
                    c.Passed ? "PASS" : "FAIL",
                    c.Case.Name,
                    result.Outcome.ToString(),
                    result.Policies.Count == 0 ? "-" : string.Join(", ", result.Policies.Select(p => p.Enforcement == Enforcement.Enforce ? p.Name : $"{p.Name} ({p.Enforcement})")),
                    result.Scope?.ToString() ?? "-",
                    result.Approvers.Count == 0 ? "-" : string.Join("; ", result.Approvers.Select(e => $"{e.Name}: {e.MinApprovals} of {ApproverText.Who(e)}")),
                    .. rules ? [Rules(result)] : Array.Empty<string>(),
                ]);
            }

            text.Append(table);
            foreach (var c in run.Cases.Where(c => verbose || !c.Passed)) Details(text, c);
            text.Append('\n');
        }

        var passed = runs.Sum(r => r.Passed);
        var failed = runs.Sum(r => r.Failed);
        text.Append(CultureInfo.InvariantCulture, $"{passed + failed} cases: {passed} passed, {failed} failed\n");
        return text.ToString();
    }

    /// <summary>"UPDATE deployments/scale prod/web as alice".</summary>
    public static string Request(AdmissionAttributes request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return $"{AdmissionMessages.Gated(request)} as {request.UserInfo.Username}" + (request.DryRun ? " (dry run)" : "");
    }

    private static void Details(StringBuilder text, CaseRun run)
    {
        var (testCase, result) = (run.Case, run.Result);
        text.Append('\n').Append(run.Passed ? "PASS " : "FAIL ").Append(Escape(testCase.Name)).Append('\n');
        foreach (var d in run.Differences)
        {
            text.Append("  ").Append(d.Field).Append(d.Field == "messageContains"
                ? $": \"{Escape(d.Expected)}\" is in neither the message nor a warning, which are:\n    {Indent(d.Actual)}\n"
                : $": expected {Escape(d.Expected)}, got {Escape(d.Actual)}\n");
        }

        var request = testCase.Request;
        text.Append("  request: ").Append(Escape(Request(request)))
            .Append(" (groups ").Append(Escape(string.Join(", ", request.UserInfo.Groups))).Append(") at ")
            .Append(Time(testCase.Now)).Append('\n');
        text.Append("  cluster: ").Append(testCase.ClusterObjects.Count == 0 ? "(no objects)" : Escape(string.Join(", ", testCase.ClusterObjects))).Append('\n');
        text.Append("  outcome: ").Append(result.Outcome).Append('\n');
        if (result.AutoApprovedBy.Count > 0) text.Append("  auto-approved by: ").Append(Escape(Rules(result))).Append('\n');
        if (result.Note is { } note) text.Append("  note: ").Append(Escape(note)).Append('\n');
        // Policies for other resources or operations are many and say little: one line names them all.
        var elsewhere = result.Evaluations.Where(e => e.Outcome == PolicyOutcome.NotMatched && e.Stage == MatchStage.Resource).Select(e => e.Policy.Name).ToList();
        foreach (var e in result.Evaluations.Where(e => !(e.Outcome == PolicyOutcome.NotMatched && e.Stage == MatchStage.Resource)))
        {
            text.Append("  policy ").Append(Escape(e.Policy.Name)).Append(" (").Append(e.Policy.Enforcement).Append("): ").Append(Verdict(e)).Append('\n');
            // The webhook reads namespaces from its caches; offline they exist only if the test file gives them.
            if (e.IsError && e.Stage == MatchStage.NamespaceSelector)
                text.Append("    hint: add the Namespace, with its labels, under cluster (in the test file or the case)\n");
        }

        if (elsewhere.Count > 0)
            text.Append("  not for this resource and operation: ").Append(Escape(string.Join(", ", elsewhere))).Append('\n');
        if (result.Message is { } message) text.Append("  message: ").Append(Indent(message)).Append('\n');
        foreach (var warning in result.Warnings) text.Append("  warning: ").Append(Escape(warning)).Append('\n');
    }

    /// <summary>The auto-approval rules that held, "policy/rule, policy/rule", or "-".</summary>
    private static string Rules(CaseResult result) => result.AutoApprovedBy.Count == 0 ? "-" : string.Join(", ", result.AutoApprovedBy);

    /// <summary>RFC 3339 in the offset the test file gave: "2025-06-04T22:30:00+02:00", "2025-06-04T20:30:00Z".</summary>
    public static string Time(DateTimeOffset time) =>
        time.ToString(time.Offset == TimeSpan.Zero ? "yyyy-MM-dd'T'HH:mm:ss'Z'" : "yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);

    /// <summary>"applies", "does not apply (NamespaceSelector: …)", "error (Condition: …)".</summary>
    public static string Verdict(PolicyEvaluation evaluation)
    {
        ArgumentNullException.ThrowIfNull(evaluation);
        return evaluation.Outcome switch
        {
            PolicyOutcome.Matched => "applies",
            PolicyOutcome.NotMatched => $"does not apply ({evaluation.Stage}: {Escape(evaluation.Reason)})",
            _ => $"cannot be evaluated ({evaluation.Stage}: {Escape(evaluation.Reason)})",
        };
    }

    private static string Indent(string text) => Escape(text.ReplaceLineEndings("\n    "));

    // Names, messages and reasons come from the files under test: never raw control characters.
    private static string Escape(string text) => TerminalText.Escape(text, multiline: true);
}
