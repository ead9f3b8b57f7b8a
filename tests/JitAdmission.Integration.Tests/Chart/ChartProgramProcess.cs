using System.Diagnostics;
using System.Globalization;
using System.Text;
using JitAdmission.Integration.Tests.Infrastructure;

namespace JitAdmission.Integration.Tests.Chart;

/// <summary>The binary with the chart's container arguments, listening on loopback, stopped with SIGTERM.</summary>
internal sealed class ChartProgramProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private ChartProgramProcess(Process process) => _process = process;

    public bool HasExited => _process.HasExited;

    /// <summary>Waits until the program has logged a line containing <paramref name="text"/>.</summary>
    public async Task WaitForOutputAsync(string text, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (!Output.Contains(text, StringComparison.Ordinal))
        {
            if (_process.HasExited) throw new InvalidOperationException($"jit-admission exited:\n{Output}");
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"jit-admission never logged \"{text}\":\n{Output}");
            await Task.Delay(50);
        }
    }

    public string Output
    {
        get
        {
            lock (_output) return _output.ToString();
        }
    }

    public static async Task<ChartProgramProcess> StartAsync(string kubeconfig, IReadOnlyList<string> chartArgs)
    {
        var port = FreePort.Next();
        // Later switches win: loopback instead of the pod's addresses.
        var psi = JitAdmissionBinary.StartInfo(
            ["--kubeconfig", kubeconfig, .. chartArgs, "--listen", $"https://127.0.0.1:{port}", "--metrics-listen", $"http://127.0.0.1:{FreePort.Next()}"]);

        var program = new ChartProgramProcess(new Process { StartInfo = psi });
        program._process.OutputDataReceived += (_, e) => program.Append(e.Data);
        program._process.ErrorDataReceived += (_, e) => program.Append(e.Data);
        program._process.Start();
        program._process.BeginOutputReadLine();
        program._process.BeginErrorReadLine();
        try
        {
            await program.WaitUntilReadyAsync(new Uri($"https://127.0.0.1:{port}/readyz"));
        }
        catch
        {
            await program.DisposeAsync();
            throw;
        }

        return program;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            using (var term = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]))
                await term.WaitForExitAsync();
            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            try
            {
                await _process.WaitForExitAsync(grace.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }

        _process.Dispose();
    }

    private async Task WaitUntilReadyAsync(Uri readyz)
    {
        using var http = new HttpClient(new HttpClientHandler
        {
            // The serving certificate comes from the program's own CA in the Secret; this only probes readiness.
            ServerCertificateCustomValidationCallback = HttpClientHandler.DangerousAcceptAnyServerCertificateValidator,
        }) { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited) throw new InvalidOperationException($"jit-admission exited with {_process.ExitCode}:\n{Output}");
            try
            {
                if ((await http.GetAsync(readyz)).IsSuccessStatusCode) return;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            await Task.Delay(100);
        }

        throw new TimeoutException($"jit-admission was not ready within 60 s:\n{Output}");
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_output) _output.AppendLine(line);
    }
}
