using System.CommandLine;
using JitAdmission.Cli.CommandLine;
using JitAdmission.Cli.Kube;
using JitAdmission.Cli.Model;

namespace JitAdmission.Cli.Commands;

/// <summary><c>kubectl jit wait NAME</c>: blocks until the request is decided; the exit code says how it ended.</summary>
internal static class WaitCommand
{
    public static Command Create(CommonOptions common, CliContext context)
    {
        var name = new Argument<string>("NAME") { Description = "The approval request to wait for" };
        var timeout = DurationOption.Create("--timeout", "How long to wait (0 = until decided or expired)", TimeSpan.FromMinutes(10));
        var command = new Command(
            "wait",
            "Wait until an approval request is approved (exit 0), denied (3), expired (4), used up (6), or --timeout passes (5); shows progress as it happens")
        {
            name, timeout,
        };

        CommandAction.Set(command, context, async (parse, cancellationToken) =>
        {
            using var session = ClusterSession.Open(common.Read(parse), context);
            var outcome = await new RequestWaiter(session, context)
                .WaitAsync(session.Namespace, parse.GetRequiredValue(name), parse.GetValue(timeout), cancellationToken);
            await context.Out.WriteLineAsync(outcome.Summary);
            return outcome.ExitCode;
        });
        return command;
    }
}
