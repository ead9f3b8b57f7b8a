using System.ComponentModel;
using System.Diagnostics;
using System.Text;
using JitAdmission.Cli.CommandLine;

namespace JitAdmission.Cli.Kube;

/// <summary>
/// Runs real kubectl ($KUBECTL, else kubectl on PATH) for what the plugin leaves to it (apply). Its stdout goes straight
/// to ours as it comes; its stderr is passed on too, and kept so that jit-admission's denials can be read from it.
/// </summary>
internal static class KubectlRunner
{
    public static async Task<KubectlResult> RunAsync(
        CliContext context, IReadOnlyList<string> arguments, string? stdin, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(arguments);
        var kubectl = context.Environment("KUBECTL") is { Length: > 0 } k ? k : "kubectl";
        var start = new ProcessStartInfo(kubectl)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = stdin is not null,
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);

        using var process = new Process { StartInfo = start };
        var stderr = new StringBuilder();
        try
        {
            process.Start();
        }
        catch (Win32Exception e)
        {
            throw new CliException($"cannot run {kubectl}: {e.Message} (put kubectl on PATH or set $KUBECTL)", e);
        }

        var output = Pump(process.StandardOutput, line => context.Out.WriteLine(line));
        var errors = Pump(process.StandardError, line =>
        {
            context.Err.WriteLine(line);
            stderr.Append(line).Append('\n');
        });
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin.AsMemory(), cancellationToken);
            process.StandardInput.Close();
        }

        try
        {
            await process.WaitForExitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            throw;
        }

        await Task.WhenAll(output, errors);
        return new KubectlResult(process.ExitCode, stderr.ToString());
    }

    private static async Task Pump(StreamReader reader, Action<string> onLine)
    {
        while (await reader.ReadLineAsync() is { } line) onLine(line);
    }
}
