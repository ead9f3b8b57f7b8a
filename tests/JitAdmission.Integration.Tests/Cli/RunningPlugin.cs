using System.Diagnostics;
using System.Text;
using JitAdmission.Integration.Tests.Infrastructure;

namespace JitAdmission.Integration.Tests.Cli;

/// <summary>A plugin run in the background, whose output a test can wait for line by line (no sleeps).</summary>
internal sealed class RunningPlugin : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly object _gate = new();
    private readonly List<(Func<string, bool> Match, TaskCompletionSource Seen)> _waiters = [];

    private RunningPlugin(Process process) => _process = process;

    public string Stderr
    {
        get
        {
            lock (_gate) return _stderr.ToString();
        }
    }

    public static RunningPlugin Start(string fileName, IEnumerable<string> args, IDictionary<string, string> environment)
    {
        var start = new ProcessStartInfo(fileName)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        foreach (var a in args) start.ArgumentList.Add(a);
        foreach (var (k, v) in environment) start.Environment[k] = v;
        var process = new Process { StartInfo = start };
        var plugin = new RunningPlugin(process);
        process.OutputDataReceived += (_, e) => plugin.Append(plugin._stdout, e.Data);
        process.ErrorDataReceived += (_, e) => plugin.Append(plugin._stderr, e.Data);
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return plugin;
    }

    /// <summary>Completes when stderr has a line for which <paramref name="match"/> holds (also one already printed).</summary>
    public async Task WaitForStderrAsync(Func<string, bool> match, TimeSpan? timeout = null)
    {
        var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            if (_stderr.ToString().Split('\n').Any(match)) return;
            _waiters.Add((match, seen));
        }

        var exited = _process.WaitForExitAsync();
        var done = await Task.WhenAny(seen.Task, exited, Task.Delay(timeout ?? TimeSpan.FromSeconds(30)));
        if (done != seen.Task)
            throw new TimeoutException($"the plugin {(done == exited ? "exited" : "did not print the expected line")}; stderr so far:\n{Stderr}");
    }

    public async Task<CommandResult> WaitForExitAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"the plugin did not exit in time; stderr so far:\n{Stderr}");
        }

        _process.WaitForExit();
        lock (_gate) return new CommandResult(_process.ExitCode, _stdout.ToString(), _stderr.ToString());
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            try { _process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private void Append(StringBuilder into, string? line)
    {
        if (line is null) return;
        List<TaskCompletionSource> hits;
        lock (_gate)
        {
            into.Append(line).Append('\n');
            if (!ReferenceEquals(into, _stderr)) return;
            hits = [.. _waiters.Where(w => w.Match(line)).Select(w => w.Seen)];
            _waiters.RemoveAll(w => hits.Contains(w.Seen));
        }

        foreach (var hit in hits) hit.TrySetResult();
    }
}
