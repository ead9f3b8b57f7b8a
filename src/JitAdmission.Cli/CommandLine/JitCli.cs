using System.CommandLine.Help;
using JitAdmission.Cli.Commands;

namespace JitAdmission.Cli.CommandLine;

/// <summary>The <c>kubectl jit</c> command tree, and how a command line becomes an exit code.</summary>
internal static class JitCli
{
    private const string PluginName = "kubectl jit";

    public static RootCommand Build(CliContext context)
    {
        var common = new CommonOptions();
        var root = new RootCommand(
            "Just-in-time approvals for risky Kubernetes changes (jit-admission): list, describe, approve and deny approval "
            + "requests, ask for approval ahead of time, apply changes that need approval, and test policies offline.\n"
            + "Exit codes: 0 ok/approved, 1 error, 2 usage, 3 denied, 4 expired, 5 timed out, 6 approval used up, 7 pending approval.");
        common.AddTo(root);
        root.Subcommands.Add(ListCommand.Create(common, context));
        root.Subcommands.Add(DescribeCommand.Create(common, context));
        root.Subcommands.Add(ReviewCommand.Create(ReviewDecision.Approve, common, context));
        root.Subcommands.Add(ReviewCommand.Create(ReviewDecision.Deny, common, context));
        root.Subcommands.Add(RequestCommand.Create(common, context));
        root.Subcommands.Add(ExtendCommand.Create(common, context));
        root.Subcommands.Add(WaitCommand.Create(common, context));
        root.Subcommands.Add(ApplyCommand.Create(common, context));
        root.Subcommands.Add(TestCommand.Create(context));
        root.Subcommands.Add(VersionCommand.Create(context));
        // "kubectl jit" alone prints the help, as kubectl does.
        root.SetAction(parse => ShowHelp(parse, context));
        return root;
    }

    public static async Task<int> RunAsync(string[] args, CliContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var root = Build(context);
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors) await context.Err.WriteLineAsync("error: " + error.Message);
            var path = string.Join(' ', CommandPath(parse.CommandResult.Command, root));
            await context.Err.WriteLineAsync($"See '{path} --help' for usage.");
            return ExitCodes.Usage;
        }

        if (parse.Action is HelpAction) return ShowHelp(parse, context);
        var configuration = new InvocationConfiguration { Output = context.Out, Error = context.Err, EnableDefaultExceptionHandler = false };
        return await parse.InvokeAsync(configuration);
    }

    // System.CommandLine names the program after the executable (kubectl-jit); people type "kubectl jit".
    private static int ShowHelp(ParseResult parse, CliContext context)
    {
        var root = parse.RootCommandResult.Command;
        using var help = new StringWriter(System.Globalization.CultureInfo.InvariantCulture);
        var configuration = new InvocationConfiguration { Output = help, Error = context.Err };
        root.Parse([.. CommandPath(parse.CommandResult.Command, root).Skip(1), "--help"]).Invoke(configuration);
        context.Out.Write(help.ToString().Replace($"  {root.Name} ", $"  {PluginName} ", StringComparison.Ordinal));
        return ExitCodes.Success;
    }

    private static List<string> CommandPath(Command command, Command root)
    {
        var path = new List<string>();
        for (var c = command; c is not null; c = c.Parents.OfType<Command>().FirstOrDefault())
        {
            path.Insert(0, ReferenceEquals(c, root) ? PluginName : c.Name);
            if (ReferenceEquals(c, root)) break;
        }

        return path;
    }
}
