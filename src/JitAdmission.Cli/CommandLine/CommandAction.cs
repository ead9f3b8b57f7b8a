namespace JitAdmission.Cli.CommandLine;

/// <summary>Runs a command's action so that every failure ends as one "error: …" line and its exit code, never a stack trace.</summary>
internal static class CommandAction
{
    /// <summary>As <see cref="Set"/>, for a command that talks to the cluster: one session, opened from the connection flags, for the whole command.</summary>
    public static void SetWithSession(
        Command command, CommonOptions common, CliContext context, Func<ParseResult, ClusterSession, CancellationToken, Task<int>> run)
    {
        ArgumentNullException.ThrowIfNull(common);
        Set(command, context, async (parse, cancellationToken) =>
        {
            using var session = ClusterSession.Open(common.Read(parse), context);
            return await run(parse, session, cancellationToken);
        });
    }

    public static void Set(Command command, CliContext context, Func<ParseResult, CancellationToken, Task<int>> run)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(context);
        command.SetAction(async (parse, cancellationToken) =>
        {
            try
            {
                return await run(parse, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                await context.Err.WriteLineAsync("interrupted");
                return ExitCodes.Interrupted;
            }
            catch (Exception e)
            {
                var error = ApiErrors.Explain(e, user: context.Username);
                // Messages quote names, reasons and comments other people wrote: never raw control characters.
                await context.Err.WriteLineAsync("error: " + TerminalText.Escape(error.Message, multiline: true));
                return error.ExitCode;
            }
        });
    }
}
