using System.Diagnostics;
using System.Text;

namespace JitAdmission.Benchmarks.Orchestration;

public sealed record CommandResult(int ExitCode, string Stdout, string Stderr)
{
    public bool Succeeded => ExitCode == 0;

    public override string ToString() => $"exit {ExitCode}\n{Stdout}\n{Stderr}";
}

/// <summary>Runs commands to completion, with a bound on their time.</summary>
public static class Processes
{
    public static async Task<CommandResult> RunAsync(string file, IEnumerable<string> args, TimeSpan timeout, IDictionary<string, string>? env = null)
    {
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        if (env is not null) foreach (var (k, v) in env) psi.Environment[k] = v;
        using var process = Process.Start(psi) ?? throw new InvalidOperationException("cannot start " + file);
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            return new CommandResult(-1, await stdout, await stderr + $"\n(killed after {timeout.TotalSeconds:0}s)");
        }

        return new CommandResult(process.ExitCode, await stdout, await stderr);
    }

    public static async Task<CommandResult> RequireAsync(string file, IEnumerable<string> args, TimeSpan timeout, IDictionary<string, string>? env = null)
    {
        var list = args.ToList();
        var result = await RunAsync(file, list, timeout, env);
        if (!result.Succeeded) throw new InvalidOperationException($"{file} {string.Join(' ', list)} failed: {result}");
        return result;
    }

    public static bool OnPath(string command) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
        .Any(dir => File.Exists(Path.Combine(dir, command)));
}

/// <summary>
/// A long-running child (jit-admission, the baseline server) started pinned to CPUs with taskset, whose output is
/// drained continuously (as a container runtime drains a pod's stdout) and only its tail kept.
/// </summary>
public sealed class ChildProcess : IAsyncDisposable
{
    private const int TailBytes = 256 * 1024;
    private readonly Process _process;
    private readonly byte[] _tail = new byte[TailBytes];
    private long _written;
    private readonly Task _drainOut;
    private readonly Task _drainErr;

    private ChildProcess(Process process, string name)
    {
        _process = process;
        Name = name;
        _drainOut = DrainAsync(process.StandardOutput.BaseStream);
        _drainErr = DrainAsync(process.StandardError.BaseStream);
    }

    public string Name { get; }
    public int Pid => _process.Id;
    public bool HasExited => _process.HasExited;
    /// <summary>Bytes the child wrote to stdout and stderr.</summary>
    public long OutputBytes => Interlocked.Read(ref _written);

    public static ChildProcess Start(string name, string cpus, string file, IEnumerable<string> args, IDictionary<string, string>? env = null)
    {
        var psi = new ProcessStartInfo("taskset")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(cpus);
        psi.ArgumentList.Add(file);
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["DOTNET_NOLOGO"] = "1";
        if (env is not null) foreach (var (k, v) in env) psi.Environment[k] = v;
        var process = Process.Start(psi) ?? throw new InvalidOperationException("cannot start " + file);
        process.StandardInput.Close();
        return new ChildProcess(process, name);
    }

    /// <summary>The last output (up to 256 KiB), for the log file and for failure messages.</summary>
    public string Tail()
    {
        lock (_tail)
        {
            var n = (int)Math.Min(_written, TailBytes);
            var start = (int)((_written - n) % TailBytes);
            var bytes = new byte[n];
            for (var i = 0; i < n; i++) bytes[i] = _tail[(start + i) % TailBytes];
            return Encoding.UTF8.GetString(bytes);
        }
    }

    private async Task DrainAsync(Stream stream)
    {
        var buffer = new byte[64 * 1024];
        int n;
        while ((n = await stream.ReadAsync(buffer)) > 0)
        {
            lock (_tail)
            {
                var data = buffer.AsSpan(0, n);
                if (data.Length > TailBytes) data = data[^TailBytes..];
                var at = (int)(_written % TailBytes);
                var first = Math.Min(data.Length, TailBytes - at);
                data[..first].CopyTo(_tail.AsSpan(at));
                data[first..].CopyTo(_tail);
                _written += n;
            }
        }
    }

    /// <summary>SIGTERM, then SIGKILL after <paramref name="grace"/>.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        if (!_process.HasExited)
        {
            await Processes.RunAsync("kill", ["-TERM", Pid.ToString(System.Globalization.CultureInfo.InvariantCulture)], TimeSpan.FromSeconds(5));
            using var cts = new CancellationTokenSource(grace);
            try
            {
                await _process.WaitForExitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }

        await Task.WhenAll(_drainOut, _drainErr);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(TimeSpan.FromSeconds(10));
        _process.Dispose();
    }
}
