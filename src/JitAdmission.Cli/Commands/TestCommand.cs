using JitAdmission.Cli.PolicyTesting;

namespace JitAdmission.Cli.Commands;

/// <summary>
/// <c>kubectl jit test DIR|FILE…</c>: runs the cases of test files (<c>jit-test.yaml</c>) through jit-admission's own
/// decision engine, offline, and compares each result with what the case expects. Exit 0 when every case passes, 1 when
/// one fails, 2 when a file cannot be read or a policy would be refused by the cluster.
/// </summary>
internal static class TestCommand
{
    public static Command Create(CliContext context)
    {
        var paths = new Argument<string[]>("DIR")
        {
            Description = "Test files, or directories searched (with those below) for jit-test.yaml",
            Arity = ArgumentArity.OneOrMore,
        };
        var output = OutputOption.Create(OutputFormat.Json);
        var verbose = Flag.Of<bool>("--verbose", "Explain every case, not only the failed ones: each policy's verdict and why", null, "-v");
        var command = new Command(
            "test",
            "Test ApprovalPolicies offline: run the cases of jit-test.yaml files (user, groups, operation, objects, time, "
            + "Namespaces and context ConfigMaps) through jit-admission's own engine and compare what it decides (outcome, policies, "
            + "enforcement, scope, approvers, auto-approval rules) with what each case expects. Exit 0 all passed, 1 a case failed, 2 bad input.")
        {
            paths, output, verbose,
        };
        CommandAction.Set(command, context, async (parse, _) =>
        {
            var now = context.Time.GetUtcNow();
            var files = (parse.GetValue(paths) ?? []).SelectMany(Find).Distinct(StringComparer.Ordinal).ToList();
            // Every file is read and checked before any case runs: bad input is reported as such, never as failed cases.
            var suites = files.Select(f => SuiteReader.Read(f, now)).ToList();
            var runs = suites.Select(SuiteRun.Of).ToList();
            await context.Out.WriteAsync(parse.GetValue(output) == OutputFormat.Json
                ? PolicyTestJson.Render(runs)
                : PolicyTestReport.Render(runs, parse.GetValue(verbose)));
            return runs.Any(r => r.Failed > 0) ? ExitCodes.Error : ExitCodes.Success;
        });
        return command;
    }

    /// <summary>A file as given; in a directory, every test file in it and below, by path.</summary>
    private static IEnumerable<string> Find(string path)
    {
        if (File.Exists(path)) return [Path.GetFullPath(path)];
        if (!Directory.Exists(path)) throw TestInput.Error($"\"{path}\" does not exist");
        var found = Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories)
            .Where(f => SuiteReader.FileNames.Contains(Path.GetFileName(f), StringComparer.Ordinal))
            .Select(Path.GetFullPath)
            .Order(StringComparer.Ordinal)
            .ToList();
        return found.Count > 0
            ? found
            : throw TestInput.Error($"no {string.Join(" or ", SuiteReader.FileNames)} in \"{path}\" or below (see docs/policies.md, \"Testing policies offline\")");
    }
}
