using System.CommandLine;
using JitAdmission.Cli.CommandLine;
using JitAdmission.Cli.Kube;
using JitAdmission.Cli.Model;
using JitAdmission.Core.Messages;

namespace JitAdmission.Cli.Commands;

/// <summary>
/// <c>kubectl jit apply -f FILE [--wait]</c>: kubectl apply that understands jit-admission. When the webhook holds a change
/// for approval, it names the ApprovalRequest and who must approve it; with --wait it waits for the approval and then
/// applies again, once.
/// </summary>
internal static class ApplyCommand
{
    public static Command Create(CommonOptions common, CliContext context)
    {
        var files = new Option<string[]>("--filename", "-f")
        {
            Description = "The file(s), directory or URL to apply, as for kubectl apply (- reads stdin)",
            HelpName = "FILE",
            Required = true,
        };
        var wait = new Option<bool>("--wait") { Description = "When the change needs approval, wait for it and apply again" };
        var timeout = DurationOption.Create("--timeout", "With --wait: how long to wait for the approvals in total (0 = until decided or expired)", TimeSpan.FromMinutes(10));
        var command = new Command(
            "apply",
            "Run kubectl apply; when jit-admission holds the change for approval, say who must approve it and, with --wait, "
            + "wait for the approval and apply again. Other kubectl apply flags are passed on (e.g. --server-side).")
        {
            files, wait, timeout,
        };
        command.TreatUnmatchedTokensAsErrors = false;

        CommandAction.Set(command, context, async (parse, cancellationToken) =>
        {
            var settings = common.Read(parse);
            using var session = ClusterSession.Open(settings, context);
            var fileList = parse.GetValue(files) ?? [];
            var stdin = fileList.Contains("-") ? await Console.In.ReadToEndAsync(cancellationToken) : null;
            var arguments = KubectlArguments(settings, fileList, parse.UnmatchedTokens);
            var flow = new ApplyFlow(session, context, arguments, stdin);
            return await flow.RunAsync(parse.GetValue(wait), parse.GetValue(timeout), cancellationToken);
        });
        return command;
    }

    /// <summary>kubectl apply with the same kubeconfig, context and (only when given) namespace as the plugin.</summary>
    internal static List<string> KubectlArguments(ConnectionSettings settings, IEnumerable<string> files, IEnumerable<string> passThrough)
    {
        var arguments = new List<string> { "apply" };
        foreach (var file in files) arguments.AddRange(["-f", file]);
        if (settings.Kubeconfig is { Length: > 0 } k) arguments.AddRange(["--kubeconfig", k]);
        if (settings.Context is { Length: > 0 } c) arguments.AddRange(["--context", c]);
        if (settings.Namespace is { Length: > 0 } n) arguments.AddRange(["--namespace", n]);
        arguments.AddRange(passThrough);
        return arguments;
    }

    private sealed class ApplyFlow(ClusterSession session, CliContext context, IReadOnlyList<string> arguments, string? stdin)
    {
        public async Task<int> RunAsync(bool wait, TimeSpan timeout, CancellationToken cancellationToken)
        {
            var first = await ApplyAsync(cancellationToken);
            if (first.ExitCode == 0) return ExitCodes.Success;
            var notices = DenialMessageParser.Parse(first.Stderr);
            if (notices.Count == 0) return ExitCodes.Error;

            if (wait && notices.All(n => n.Kind == DenialKind.Expired))
            {
                await Say("the approval request expired; applying again to get a new one");
                first = await ApplyAsync(cancellationToken);
                if (first.ExitCode == 0) return ExitCodes.Success;
                notices = DenialMessageParser.Parse(first.Stderr);
                if (notices.Count == 0) return ExitCodes.Error;
            }

            if (await Final(notices) is { } code) return code;
            var pending = notices.Where(n => n.Kind == DenialKind.NeedsApproval).ToList();
            if (!wait)
            {
                foreach (var p in pending)
                    await Say($"approvalrequest/{p.Name} in namespace {p.Namespace} waits for approvers ({AdmissionMessages.ApproveCommand(p.Name, p.Namespace)}); "
                        + $"follow it with: kubectl jit wait {p.Name} -n {p.Namespace}, or apply again with --wait");
                return ExitCodes.Pending;
            }

            var deadline = timeout > TimeSpan.Zero ? context.Time.GetUtcNow() + timeout : (DateTimeOffset?)null;
            var waiter = new RequestWaiter(session, context);
            foreach (var p in pending)
            {
                await Say($"waiting for approval of approvalrequest/{p.Name} in namespace {p.Namespace}; approvers run: "
                    + AdmissionMessages.ApproveCommand(p.Name, p.Namespace));
                var outcome = await waiter.WaitUntilAsync(p.Namespace, p.Name, deadline, timeout, cancellationToken);
                await Say(outcome.Summary);
                if (outcome.ExitCode != ExitCodes.Success) return outcome.ExitCode;
            }

            await Say(pending.Count == 1 ? "approved; applying again" : "all approved; applying again");
            var second = await ApplyAsync(cancellationToken);
            if (second.ExitCode == 0) return ExitCodes.Success;
            var again = DenialMessageParser.Parse(second.Stderr);
            if (await Final(again) is { } failed) return failed;
            if (again.Any(n => n.Kind == DenialKind.NeedsApproval))
            {
                await Say("the change still needs approval (see above): it differs from what was approved, or the approval was used meanwhile");
                return ExitCodes.Pending;
            }

            return ExitCodes.Error;
        }

        /// <summary>The exit code when a notice ends the attempt (denied, expired, cannot be approved); null to go on waiting.</summary>
        private async Task<int?> Final(IReadOnlyList<DenialNotice> notices)
        {
            foreach (var n in notices)
            {
                switch (n.Kind)
                {
                    case DenialKind.Denied:
                        await Say($"denied: approvalrequest/{n.Name} in namespace {n.Namespace} was denied by an approver (kubectl jit describe {n.Name} -n {n.Namespace})");
                        return ExitCodes.Denied;
                    case DenialKind.Unsatisfiable:
                        await Say($"approvalrequest/{n.Name} in namespace {n.Namespace} cannot be approved as the policies stand; ask the cluster admin");
                        return ExitCodes.Error;
                    case DenialKind.InternalError:
                        return ExitCodes.Error;
                }
            }

            if (notices.Any(n => n.Kind == DenialKind.Expired) && notices.All(n => n.Kind != DenialKind.NeedsApproval))
                return ExitCodes.Expired;
            return null;
        }

        private Task<KubectlResult> ApplyAsync(CancellationToken cancellationToken) =>
            KubectlRunner.RunAsync(context, arguments, stdin, cancellationToken);

        private Task Say(string line) => context.Err.WriteLineAsync("kubectl jit: " + line);
    }
}
