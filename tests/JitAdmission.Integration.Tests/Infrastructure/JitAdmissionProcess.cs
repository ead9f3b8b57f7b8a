using k8s;
using System.Diagnostics;
using System.Text;

namespace JitAdmission.Integration.Tests.Infrastructure;

/// <summary>
/// The real jit-admission binary running out of cluster against a test API server, as an operator would start
/// it: <c>jit-admission --kubeconfig FILE --webhook-url https://127.0.0.1:PORT</c>. Output is kept for failures.
/// </summary>
public sealed class JitAdmissionProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private JitAdmissionProcess(Process process, string url, string listenUrl)
    {
        _process = process;
        Url = url;
        ListenUrl = listenUrl;
    }

    /// <summary>The base URL the API server calls (https://127.0.0.1:PORT).</summary>
    public string Url { get; }

    /// <summary>Where this process listens (its own port; equals <see cref="Url"/> unless it sits behind a proxy).</summary>
    public string ListenUrl { get; }

    public bool HasExited => _process.HasExited;

    /// <summary>The process's resident memory now (VmRSS).</summary>
    public long ResidentBytes
    {
        get
        {
            _process.Refresh();
            return _process.WorkingSet64;
        }
    }

    public string Output
    {
        get
        {
            lock (_output) return _output.ToString();
        }
    }

    /// <summary>Starts the binary and waits until /readyz answers 200.</summary>
    public static Task<JitAdmissionProcess> StartAsync(
        string kubeconfig,
        string @namespace = "jit-system",
        IEnumerable<string>? extraArgs = null,
        int? port = null,
        TimeSpan? readyTimeout = null,
        string? webhookUrl = null)
    {
        var listenUrl = $"https://127.0.0.1:{port ?? FreePort.Next()}";
        var url = webhookUrl ?? listenUrl;
        return StartAsync(
            ["--kubeconfig", kubeconfig, "--webhook-url", url, "--listen", listenUrl, "--namespace", @namespace, .. extraArgs ?? []],
            url, listenUrl, readyTimeout, environment: null);
    }

    /// <summary>
    /// Starts the binary with exactly <paramref name="args"/> (e.g. a Deployment's own arguments with only the listen
    /// addresses changed) and <paramref name="environment"/>, and waits until /readyz at <paramref name="listenUrl"/> answers 200.
    /// </summary>
    public static async Task<JitAdmissionProcess> StartAsync(
        IReadOnlyList<string> args, string url, string listenUrl, TimeSpan? readyTimeout, IReadOnlyDictionary<string, string>? environment, bool waitReady = true)
    {
        var psi = JitAdmissionBinary.StartInfo(args);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) psi.Environment[name] = value;

        var process = new Process { StartInfo = psi };
        var jit = new JitAdmissionProcess(process, url, listenUrl);
        process.OutputDataReceived += (_, e) => jit.Append(e.Data);
        process.ErrorDataReceived += (_, e) => jit.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!waitReady) return jit;
        try
        {
            await jit.WaitUntilReadyAsync(readyTimeout ?? TimeSpan.FromSeconds(60));
        }
        catch
        {
            await jit.DisposeAsync();
            throw;
        }

        return jit;
    }

    public async Task WaitUntilReadyAsync(TimeSpan timeout)
    {
        using var http = Insecure();
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited) throw new InvalidOperationException($"jit-admission exited with {_process.ExitCode}:\n{Output}");
            try
            {
                if ((await http.GetAsync(new Uri(ListenUrl + "/readyz"))).IsSuccessStatusCode) return;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            await Task.Delay(100);
        }

        throw new TimeoutException($"jit-admission was not ready within {timeout}:\n{Output}");
    }

    /// <summary>Whether /readyz answers 200 now.</summary>
    public async Task<bool> IsReadyAsync()
    {
        using var http = Insecure();
        try
        {
            return (await http.GetAsync(new Uri(ListenUrl + "/readyz"))).IsSuccessStatusCode;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return false;
        }
    }

    /// <summary>GET a path (e.g. /metrics) on the webhook's HTTPS port.</summary>
    public async Task<string> GetAsync(string path)
    {
        using var http = Insecure();
        return await http.GetStringAsync(new Uri(ListenUrl + path));
    }

    /// <summary>
    /// Waits until the leader has registered the webhooks at <see cref="Url"/> (a registration left by an earlier,
    /// stopped process fails closed until then).
    /// </summary>
    public async Task WaitUntilRegisteredAsync(k8s.IKubernetes admin, string configurationName = "jit-admission", TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                var validating = await admin.AdmissionregistrationV1.ReadValidatingWebhookConfigurationAsync(configurationName);
                var mutating = await admin.AdmissionregistrationV1.ReadMutatingWebhookConfigurationAsync(configurationName);
                if (validating.Webhooks.All(w => w.ClientConfig.Url?.StartsWith(Url + "/", StringComparison.Ordinal) == true)
                    && mutating.Webhooks.All(w => w.ClientConfig.Url?.StartsWith(Url + "/", StringComparison.Ordinal) == true))
                    return;
            }
            catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
            {
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"the webhooks were not registered at {Url}:\n{Output}");
    }

    /// <summary>Graceful stop (SIGTERM), as Kubernetes stops a pod; killed if it does not stop in time.</summary>
    public async Task StopAsync(TimeSpan? grace = null)
    {
        if (_process.HasExited) return;
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            await kill.WaitForExitAsync();
        using var cts = new CancellationTokenSource(grace ?? TimeSpan.FromSeconds(15));
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

    /// <summary>Crash stop (SIGKILL): no clean hand-over.</summary>
    public async Task KillAsync()
    {
        if (_process.HasExited) return;
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_output) _output.AppendLine(line);
    }

    // The binary serves a self-signed certificate out of cluster; tests only probe health here.
    private static HttpClient Insecure() => new(new HttpClientHandler
    {
        ServerCertificateCustomValidationCallback = HttpClientHandler.DangerousAcceptAnyServerCertificateValidator,
    }) { Timeout = TimeSpan.FromSeconds(5) };
}
