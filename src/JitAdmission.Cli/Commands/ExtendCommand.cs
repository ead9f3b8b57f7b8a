using JitAdmission.Core.Guard;
using JitAdmission.Core.Messages;

namespace JitAdmission.Cli.Commands;

/// <summary>
/// <c>kubectl jit extend NAME</c>: continues one's own Object or Grant approval that is about to run out, as a new
/// ApprovalRequest linked to it by <c>spec.extends</c> (docs/approvals.md "Extending a Grant").
/// </summary>
internal static class ExtendCommand
{
    public static Command Create(CommonOptions common, CliContext context)
    {
        var name = Flag.RequestName("Your approval request to extend (Object or Grant scope, approved, still in its window)");
        var reason = new Option<string>("--reason", "-r") { Description = "Why you need more time (shown to approvers)", HelpName = "TEXT", Required = true };
        reason.Validators.Add(r =>
        {
            var text = r.Tokens.Count > 0 ? r.Tokens[0].Value : "";
            if (string.IsNullOrWhiteSpace(text)) r.AddError("--reason must not be empty: it is recorded with the extension");
            else if (text.Length > ApiLimits.MaxReasonLength) r.AddError($"--reason is {text.Length} characters long; at most {ApiLimits.MaxReasonLength} fit");
        });
        var duration = DurationOption.Create("--for", "How long the extension lasts, at most the policies' validFor (0 = the policies' validFor)", TimeSpan.Zero);
        var output = OutputOption.Create(OutputFormat.Json, OutputFormat.Yaml, OutputFormat.Name);
        var command = new Command("extend", "Extend your Object or Grant approval that is about to run out, as far as its policies allow (approval.extensions)")
        {
            name, duration, reason, output,
        };

        CommandAction.SetWithSession(command, common, context, async (parse, session, cancellationToken) =>
        {
            var me = await session.WhoAmIAsync(cancellationToken);
            var policies = await session.PoliciesAsync(cancellationToken);
            var extended = await session.Requests.GetAsync(session.Namespace, parse.GetRequiredValue(name), cancellationToken);
            var all = (await session.Requests.ListAsync(session.Namespace, cancellationToken)).ToDictionary(r => r.Name, r => r.Request, StringComparer.Ordinal);
            var length = parse.GetValue(duration);
            var body = ExtensionRequest.Build(
                extended.Request, me, parse.GetRequiredValue(reason).Trim(), length > TimeSpan.Zero ? length : null,
                ExtensionRequest.NextName(extended.Name, all.Keys));
            var now = context.Time.GetUtcNow();

            if (policies.Available)
            {
                all[extended.Name] = extended.Request;
                var errors = RequestGuard.ValidateCreate(body, me.ToUserInfo(), policies.Find, isOperator: false, now, all.GetValueOrDefault);
                if (errors.Count > 0) throw new CliException($"cannot extend {extended.Name}:\n  - " + string.Join("\n  - ", errors));
            }

            var created = await session.Requests.CreateAsync(session.Namespace, body, cancellationToken);
            var format = parse.GetValue(output);
            if (format != OutputFormat.Text) await context.Out.WriteAsync(ObjectPrinter.One(created, format));
            else await context.Out.WriteAsync(Created(RequestView.Build(created, policies, now), extended.Name));
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>What was created, and whether it is usable now or waits for approvers.</summary>
    internal static string Created(RequestView view, string extended)
    {
        var name = view.Fetched.Name;
        var ns = view.Fetched.Namespace;
        var lines = new List<string> { $"approvalrequest/{name} created in namespace {ns}: extends {extended} ({view.Action})" };
        if (view.Source == ViewSource.Evaluated && view.Message.Length > 0) lines.Add($"Status: {view.Message}");
        if (view.DisplayPhase == RequestPhase.Approved)
        {
            lines.Add("No new approval needed: the policies approve this extension automatically.");
        }
        else
        {
            lines.Add("It needs a fresh approval. Approvers run: " + AdmissionMessages.ApproveCommand(name, ns));
            lines.Add($"Follow it:     kubectl jit wait {name} -n {ns}");
        }

        return TerminalText.Escape(string.Join('\n', lines), multiline: true) + "\n";
    }
}
