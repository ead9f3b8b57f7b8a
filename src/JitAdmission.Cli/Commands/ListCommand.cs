namespace JitAdmission.Cli.Commands;

/// <summary><c>kubectl jit list</c>: approval requests, pending first, then newest.</summary>
internal static class ListCommand
{
    public static Command Create(CommonOptions common, CliContext context)
    {
        var allNamespaces = Flag.Of<bool>("--all-namespaces", "List the requests in every namespace", null, "-A");
        var mine = Flag.Of<bool>("--mine", "Only the requests you made, each with what it waits on and from whom");
        var pending = Flag.Of<bool>("--pending", "Only pending requests");
        var toReview = Flag.Of<bool>("--to-review",
            "Only requests waiting for a review you may give: you are an eligible approver, it is not your own, and you have not reviewed it");
        var output = OutputOption.Create(OutputFormat.Wide, OutputFormat.Json, OutputFormat.Yaml, OutputFormat.Name);
        var command = new Command("list", "List approval requests: pending first, then the newest")
        {
            allNamespaces, mine, pending, toReview, output,
        };
        command.Aliases.Add("ls");

        CommandAction.SetWithSession(command, common, context, async (parse, session, cancellationToken) =>
        {
            var all = parse.GetValue(allNamespaces);
            var format = parse.GetValue(output);
            var requests = await session.Requests.ListAsync(all ? null : session.Namespace, cancellationToken);
            var policies = await session.PoliciesAsync(cancellationToken);
            var now = context.Time.GetUtcNow();
            IEnumerable<RequestView> views = requests.Select(r => RequestView.Build(r, policies, now));

            if (parse.GetValue(mine) || parse.GetValue(toReview))
            {
                var me = await session.WhoAmIAsync(cancellationToken);
                if (parse.GetValue(mine)) views = views.Where(v => v.Request.Spec.Requester.Username == me.Username);
                if (parse.GetValue(toReview))
                {
                    if (!policies.Available)
                        await context.Err.WriteLineAsync($"warning: cannot read ApprovalPolicies ({TerminalText.Escape(policies.Unavailable)}); "
                            + "showing every pending request that is not yours and that you have not reviewed");
                    views = views.Where(v => ReviewEligibility.CanReview(v, me));
                }
            }

            if (parse.GetValue(pending)) views = views.Where(v => v.IsPending);
            var sorted = RequestOrdering.Sort(views).ToList();

            if (format is OutputFormat.Json or OutputFormat.Yaml or OutputFormat.Name)
            {
                await context.Out.WriteAsync(ObjectPrinter.Many([.. sorted.Select(v => v.Fetched)], format));
                return ExitCodes.Success;
            }

            if (sorted.Count == 0)
            {
                var where = all ? "in any namespace" : $"in namespace {session.Namespace}";
                var what = parse.GetValue(toReview) ? "No approval requests to review" : "No approval requests found";
                await context.Err.WriteLineAsync($"{what} {where}." + (all ? "" : " (-A lists every namespace)"));
                return ExitCodes.Success;
            }

            await context.Out.WriteAsync(RequestTable.Render(sorted, now, withNamespace: all, wide: format == OutputFormat.Wide, standing: parse.GetValue(mine)));
            return ExitCodes.Success;
        });
        return command;
    }
}
