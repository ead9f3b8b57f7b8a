namespace JitAdmission.Cli.Commands;

/// <summary>
/// <c>kubectl jit wait NAME</c>: blocks until the request is decided, watching it and waking at its expiry; the exit code
/// says how it ended (0 approved, 3 denied, 4 expired, 5 timed out, 6 used up).
/// </summary>
internal static class WaitCommand
{
    public static Command Create(CommonOptions common, CliContext context)
    {
        var name = Flag.RequestName("The approval request to wait for");
        var timeout = DurationOption.Create("--timeout", "How long to wait (0 = until decided or expired)", TimeSpan.FromMinutes(10));
        var command = new Command(
            "wait",
            "Wait until an approval request is approved (exit 0), denied (3), expired (4), used up (6), or --timeout passes (5); shows progress as it happens")
        {
            name, timeout,
        };

        CommandAction.SetWithSession(command, common, context, async (parse, session, cancellationToken) =>
        {
            var outcome = await new RequestWaiter(session, context)
                .WaitAsync(session.Namespace, parse.GetRequiredValue(name), parse.GetValue(timeout), cancellationToken);
            await context.Out.WriteLineAsync(outcome.Summary);
            return outcome.ExitCode;
        });
        return command;
    }
}
