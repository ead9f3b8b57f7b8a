using System.CommandLine;
using JitAdmission.Cli.CommandLine;
using JitAdmission.Cli.Kube;
using JitAdmission.Cli.Model;

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
        if (settings.As is { Length: > 0 } user) arguments.AddRange(["--as", user]);
        foreach (var group in settings.AsGroups) arguments.AddRange(["--as-group", group]);
        if (settings.AsUid is { Length: > 0 } uid) arguments.AddRange(["--as-uid", uid]);
        arguments.AddRange(passThrough);
        return arguments;
    }
}
