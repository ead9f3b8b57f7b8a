using System.ComponentModel;
using System.Diagnostics;

namespace JitAdmission.Cli.Kube;

/// <summary>What kubectl printed and how it exited.</summary>
internal sealed record KubectlResult(int ExitCode, string Stdout, string Stderr);

/// <summary>
/// Runs real kubectl ($KUBECTL, else kubectl on PATH) for what the plugin leaves to it: rendering a kustomization
/// (<c>kubectl kustomize DIR</c>). Nothing it prints is interpreted beyond its exit code; its output is the manifest.
/// </summary>
internal static class KubectlRunner
{
    public static async Task<KubectlResult> RunAsync(CliContext context, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(arguments);
        var kubectl = context.Environment("KUBECTL") is { Length: > 0 } k ? k : "kubectl";
        var start = new ProcessStartInfo(kubectl) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);

        using var process = new Process { StartInfo = start };
        try
        {
            process.Start();
        }
        catch (Win32Exception e)
        {
            throw new CliException($"cannot run {kubectl}: {e.Message} (put kubectl on PATH or set $KUBECTL)", e);
        }

        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var errors = process.StandardError.ReadToEndAsync(cancellationToken);
        try
        {
            await process.WaitForExitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            throw;
        }

        return new KubectlResult(process.ExitCode, await output, await errors);
    }
}
