using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace JitAdmission.Benchmarks.Orchestration;

/// <summary>
/// A webhook server under test: the real jit-admission binary or the bare-Kestrel baseline, started pinned to the
/// server CPUs, with HTTPS probes and /metrics scrapes from the orchestrator.
/// </summary>
public sealed class WebhookServer : IAsyncDisposable
{
    private readonly ChildProcess _process;
    private readonly HttpClient _http;

    private WebhookServer(ChildProcess process, int port)
    {
        _process = process;
        Port = port;
        BaseUrl = $"https://127.0.0.1:{port}";
        _http = new HttpClient(new SocketsHttpHandler
        {
            SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true },
            UseProxy = false,
        })
        { Timeout = TimeSpan.FromSeconds(30) };
    }

    public int Port { get; }
    public string BaseUrl { get; }
    public Uri ValidateUrl => new(BaseUrl + "/validate?timeout=10s");
    public int Pid => _process.Pid;
    public string Name => _process.Name;
    public long OutputBytes => _process.OutputBytes;

    /// <summary>
    /// The one setting the benchmark changes: the memory phase has 20 requesters create 500 requests each, above the
    /// default cap of pending requests per requester (20). As an environment variable, so builds older than the cap
    /// start the same way.
    /// </summary>
    public static readonly KeyValuePair<string, string> NoPendingCap = new("Gate__MaxPendingPerRequester", "0");

    /// <summary>jit-admission out of cluster, exactly as docs/configuration.md starts it: <paramref name="binary"/> is
    /// a native executable, or a .dll run with dotnet.</summary>
    public static WebhookServer StartJitAdmission(string binary, string kubeconfig, string @namespace, string cpus, IDictionary<string, string>? env = null)
    {
        env = new Dictionary<string, string>(env ?? new Dictionary<string, string>(), StringComparer.Ordinal) { [NoPendingCap.Key] = NoPendingCap.Value };
        var port = FreePort();
        string[] args = ["--kubeconfig", kubeconfig, "--webhook-url", $"https://127.0.0.1:{port}", "--namespace", @namespace];
        var process = binary.EndsWith(".dll", StringComparison.OrdinalIgnoreCase)
            ? ChildProcess.Start("jit-admission", cpus, "dotnet", [binary, .. args], env)
            : ChildProcess.Start("jit-admission", cpus, binary, args, env);
        return new WebhookServer(process, port);
    }

    /// <summary>The bare-Kestrel baseline, run by this program's own assembly (server GC: on one CPU the runtime falls back to a workstation heap).</summary>
    public static WebhookServer StartBaseline(string cpus)
    {
        var port = FreePort();
        var self = typeof(WebhookServer).Assembly.Location;
        var process = ChildProcess.Start("baseline", cpus, "dotnet", [self, "baseline", "--port", port.ToString(CultureInfo.InvariantCulture)]);
        return new WebhookServer(process, port);
    }

    public async Task WaitReadyAsync(string path, TimeSpan timeout)
    {
        await Poll.UntilAsync(async () =>
        {
            if (_process.HasExited) throw new InvalidOperationException($"{Name} exited:\n{_process.Tail()}");
            try
            {
                using var response = await _http.GetAsync(new Uri(BaseUrl + path));
                return response.IsSuccessStatusCode;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, timeout, $"{Name} answers {path}");
    }

    public async Task<PrometheusText> ScrapeAsync() => PrometheusText.Parse(await _http.GetStringAsync(new Uri(BaseUrl + "/metrics")));

    /// <summary>One admission request, as a check before the load: the HTTP status and the answer.</summary>
    public async Task<(HttpStatusCode Status, string Body)> PostAsync(byte[] body)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        using var response = await _http.PostAsync(ValidateUrl, content);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    public double CpuSeconds() => ProcStats.CpuSeconds(Pid);

    public (long Rss, long Peak) Memory() => ProcStats.Memory(Pid);

    public string Tail() => _process.Tail();

    public async ValueTask DisposeAsync()
    {
        await _process.StopAsync(TimeSpan.FromSeconds(15));
        _http.Dispose();
    }

    private static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        var port = ((IPEndPoint)socket.LocalEndpoint).Port;
        socket.Stop();
        return port;
    }
}
