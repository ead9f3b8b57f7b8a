namespace JitAdmission.Cli.Commands;

/// <summary><c>kubectl jit describe NAME</c>: what an approver needs to decide.</summary>
internal static class DescribeCommand
{
    public static Command Create(CommonOptions common, CliContext context)
    {
        var name = Flag.RequestName("The approval request");
        var command = new Command("describe", "Show an approval request: the action, requester, reason, change (and what the approval lets through against the live object, read as you), requirements with progress, decisions, usage, expiry, and how to approve it")
        {
            name,
        };

        CommandAction.SetWithSession(command, common, context, async (parse, session, cancellationToken) =>
        {
            var fetched = await session.Requests.GetAsync(session.Namespace, parse.GetRequiredValue(name), cancellationToken);
            var policies = await session.PoliciesAsync(cancellationToken);
            var live = await LiveComparison.ReadAsync(session, fetched.Request, cancellationToken);
            var now = context.Time.GetUtcNow();
            await context.Out.WriteAsync(RequestDescription.Render(RequestView.Build(fetched, policies, now), now, live));
            return ExitCodes.Success;
        });
        return command;
    }
}
