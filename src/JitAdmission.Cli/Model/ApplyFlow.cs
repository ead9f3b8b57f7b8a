using JitAdmission.Cli.CommandLine;
using JitAdmission.Cli.Kube;
using JitAdmission.Core.Messages;

namespace JitAdmission.Cli.Model;

/// <summary>
/// What <c>kubectl jit apply</c> does around kubectl: apply; read jit-admission's denials from kubectl's stderr; say who
/// approves; with --wait, wait for every pending request under one deadline and apply once more.
/// </summary>
internal sealed class ApplyFlow(ClusterSession session, CliContext context, IReadOnlyList<string> arguments, string? stdin)
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
