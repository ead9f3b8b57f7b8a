using JitAdmission.Core.Guard;
using JitAdmission.Core.Messages;

namespace JitAdmission.Cli.Commands;

/// <summary>
/// <c>kubectl jit request</c>: asks for approval ahead of time (classic JIT elevation: "let me exec into prod for 30m"),
/// as an ApprovalRequest made by and for the caller.
/// </summary>
internal static class RequestCommand
{
    public static Command Create(CommonOptions common, CliContext context)
    {
        var policy = new Option<string[]>("--policy", "-p")
        {
            Description = "The ApprovalPolicy (or policies, comma-separated or repeated) whose approval you ask for",
            HelpName = "NAME[,NAME]",
            Required = true,
            AllowMultipleArgumentsPerToken = false,
        };
        var reason = new Option<string>("--reason", "-r") { Description = "Why you need it (shown to approvers)", HelpName = "TEXT", Required = true };
        reason.Validators.Add(r =>
        {
            var text = r.Tokens.Count > 0 ? r.Tokens[0].Value : "";
            if (string.IsNullOrWhiteSpace(text)) r.AddError("--reason must not be empty: approvers decide on it");
            else if (text.Length > ApiLimits.MaxReasonLength) r.AddError($"--reason is {text.Length} characters long; at most {ApiLimits.MaxReasonLength} fit");
        });
        var scope = Flag.Of<string>("--scope", "Grant (anything the policies gate) or Object (one object); default: the policies' scope", "Grant|Object");
        scope.AcceptOnlyFromAmong("Grant", "Object");
        var resource = Flag.Of<string>("--resource",
            "The object's resource type for Object scope, as kubectl names it: deployments, deploy, deployments.apps, or TYPE/NAME", "TYPE[/NAME]");
        var kind = Flag.Of<string>("--kind", "The object's kind instead of --resource, e.g. Deployment", "KIND");
        var objectName = Flag.Of<string>("--name", "The object's name (Object scope)", "NAME");
        var anyNamespace = Flag.Of<bool>("--any-namespace", "Grant scope: not limited to the request's namespace");
        var breakGlass = Flag.Of<bool>("--break-glass", "Proceed at once without approval (only for the policies' break-glass users); reviewed afterwards");
        var requestName = Flag.Of<string>("--request-name", "Name of the ApprovalRequest (default: generated from your name and the policy)", "NAME");
        var wait = Flag.Of<bool>("--wait", "Wait until the request is approved, denied or expires");
        var timeout = DurationOption.Create("--timeout", "With --wait: how long to wait (0 = until decided or expired)", TimeSpan.FromMinutes(10));
        var output = OutputOption.Create(OutputFormat.Json, OutputFormat.Yaml, OutputFormat.Name);

        var command = new Command("request", "Ask for approval ahead of time, e.g. a Grant to exec into prod for the policy's validity window")
        {
            policy, reason, scope, resource, kind, objectName, anyNamespace, breakGlass, requestName, wait, timeout, output,
        };
        command.Validators.Add(result =>
        {
            if (result.GetValue(resource) is not null && result.GetValue(kind) is not null)
                result.AddError("give the object's type with --resource or with --kind, not both");
            // The raw token: GetValue throws for a value AcceptOnlyFromAmong already reports.
            if (result.GetResult(scope)?.Tokens is [{ Value: "Object" }, ..] && result.GetValue(objectName) is null
                && (result.GetValue(resource) is not { } r || !r.Contains('/', StringComparison.Ordinal)))
                result.AddError("--scope Object needs the object: --resource TYPE --name NAME (or --resource TYPE/NAME)");
        });

        CommandAction.SetWithSession(command, common, context, async (parse, session, cancellationToken) =>
        {
            var me = await session.WhoAmIAsync(cancellationToken);
            var policies = await session.PoliciesAsync(cancellationToken);
            var names = SplitPolicies(parse.GetValue(policy) ?? []);

            ResolvedResource? resolved = null;
            var nameOfObject = parse.GetValue(objectName);
            if ((parse.GetValue(resource) ?? parse.GetValue(kind)) is { } typeText)
            {
                var (type, group, nameInType) = ResourceResolver.Parse(typeText);
                if (nameInType is { Length: > 0 })
                {
                    if (nameOfObject is not null && nameOfObject != nameInType)
                        throw new CliException($"the object is named twice: {typeText} and --name {nameOfObject}", ExitCodes.Usage);
                    nameOfObject = nameInType;
                }

                resolved = await ResourceResolver.ResolveAsync(session.Client, type, group, cancellationToken);
            }

            var ask = new AheadOfTimeAsk(
                names,
                parse.GetRequiredValue(reason).Trim(),
                ChooseScope(parse.GetValue(scope), names, policies, nameOfObject),
                session.Namespace,
                resolved,
                nameOfObject,
                LimitToNamespace: !parse.GetValue(anyNamespace),
                parse.GetValue(breakGlass),
                parse.GetValue(requestName));
            var body = AheadOfTimeRequest.Build(ask, me);

            if (policies.Available)
            {
                var errors = RequestGuard.ValidateCreate(body, me.ToUserInfo(), policies.Find, isOperator: false, context.Time.GetUtcNow());
                if (errors.Count > 0) throw new CliException("cannot request this:\n  - " + string.Join("\n  - ", errors));
            }

            var created = await session.Requests.CreateAsync(session.Namespace, body, cancellationToken);
            var format = parse.GetValue(output);
            if (format != OutputFormat.Text) await context.Out.WriteAsync(ObjectPrinter.One(created, format));
            else await context.Out.WriteAsync(Created(RequestView.Build(created, policies, context.Time.GetUtcNow()), ask));

            if (!parse.GetValue(wait)) return ExitCodes.Success;
            var outcome = await new RequestWaiter(session, context).WaitAsync(created.Namespace, created.Name, parse.GetValue(timeout), cancellationToken);
            await context.Out.WriteLineAsync(outcome.Summary);
            return outcome.ExitCode;
        });
        return command;
    }

    /// <summary>"a,b" and repeated flags, trimmed, without duplicates, in the order given.</summary>
    internal static List<string> SplitPolicies(IEnumerable<string> values) =>
        [.. values.SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).Distinct(StringComparer.Ordinal)];

    private static ApprovalScope ChooseScope(string? given, List<string> names, PolicySnapshot policies, string? objectName)
    {
        if (names.Count == 0) throw new CliException("--policy needs at least one policy name (kubectl get apol lists them)", ExitCodes.Usage);
        if (given is not null) return Enum.Parse<ApprovalScope>(given);
        var exact = names.Select(policies.Find).OfType<ApprovalPolicy>().FirstOrDefault(p => p.Spec.Approval.Scope == ApprovalScope.Exact);
        if (exact is not null)
            throw new CliException($"policy \"{exact.Metadata.Name}\" approves exact changes only (scope Exact), which cannot be asked for "
                + "ahead of time: run the change itself (kubectl jit apply -f FILE --wait) and jit-admission creates the request for it");
        var scopes = names.Select(policies.Find).OfType<ApprovalPolicy>().Select(p => p.Spec.Approval.Scope).Distinct().ToList();
        if (scopes.Count == 1) return scopes[0];
        return objectName is null ? ApprovalScope.Grant : ApprovalScope.Object;
    }

    private static string Created(RequestView view, AheadOfTimeAsk ask)
    {
        var name = view.Fetched.Name;
        var ns = view.Fetched.Namespace;
        var lines = new List<string>
        {
            $"approvalrequest/{name} created in namespace {ns}: {view.Action} for {view.Request.Spec.Requester.Username} ({view.Request.Spec.Scope} scope)",
        };
        if (ask.BreakGlass)
        {
            lines.Add("Break-glass: you may proceed now; approvers review it afterwards with: " + AdmissionMessages.ApproveCommand(name, ns));
        }
        else
        {
            if (view.Source == ViewSource.Evaluated && view.Message.Length > 0) lines.Add($"Status: {view.Message}");
            lines.Add("Approvers run: " + AdmissionMessages.ApproveCommand(name, ns));
            lines.Add($"Follow it:     kubectl jit wait {name} -n {ns}");
        }

        return TerminalText.Escape(string.Join('\n', lines), multiline: true) + "\n";
    }
}
