namespace JitAdmission.Cli.Commands;

/// <summary><c>kubectl jit describe NAME</c>: what an approver needs to decide.</summary>
internal static class DescribeCommand
{
    public static Command Create(CommonOptions common, CliContext context)
    {
        var name = Flag.RequestName("The approval request");
        var command = new Command("describe", "Show an approval request: the action, requester, reason, change (and what the approval lets through against the live object, read as you; for a change set, every object), requirements with progress, decisions, usage, expiry, and how to approve it")
        {
            name,
        };

        CommandAction.SetWithSession(command, common, context, async (parse, session, cancellationToken) =>
        {
            var fetched = await session.Requests.GetAsync(session.Namespace, parse.GetRequiredValue(name), cancellationToken);
            var policies = await session.PoliciesAsync(cancellationToken);
            var live = await LiveComparison.ReadAsync(session, fetched.Request, cancellationToken);
            var setObjects = await ChangeSetComparison.ReadAsync(session, fetched.Request, cancellationToken);
            var now = context.Time.GetUtcNow();
            var extendedBy = await ExtendedByAsync(session, fetched.Name, cancellationToken);
            await context.Out.WriteAsync(RequestDescription.Render(RequestView.Build(fetched, policies, now), now, live, extendedBy, setObjects));
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>The requests that extend this one; unknown (null) when the caller may not list the namespace's requests.</summary>
    private static async Task<IReadOnlyList<string>?> ExtendedByAsync(ClusterSession session, string name, CancellationToken cancellationToken)
    {
        try
        {
            var all = await session.Requests.ListAsync(session.Namespace, cancellationToken);
            return ExtensionRequest.ExtendedBy(name, all.Select(r => r.Request));
        }
        catch (CliException)
        {
            return null;
        }
    }
}
