using JitAdmission.Integration.Tests.Chart;
using static JitAdmission.Integration.Tests.Chart.RenderedChart;

namespace JitAdmission.Integration.Tests.Infrastructure;

/// <summary>
/// jit-admission as the chart installs it, run out of cluster: <c>helm install</c> of charts/jit-admission (CRDs, RBAC,
/// ServiceAccount, Service, webhook configurations, certificate Secret and Lease), then replicas of the real binary
/// with the ServiceAccount's identity and permissions and the Deployment's own arguments and environment, behind the
/// chart's Service (kube-sandbox routes to its ready endpoints, named in the <c>kube-sandbox.io/endpoints</c>
/// annotation) and called through the chart's webhook configurations, unchanged. Only what processes on one host must
/// differ in is overridden: <c>--listen</c> and <c>--metrics-listen</c> (loopback ports instead of the pod's), the
/// client CA file's path (the ConfigMap's content at a local path instead of the pod's mount), and the credentials
/// (<c>--kubeconfig</c> with the ServiceAccount's identity instead of its mounted token).
/// </summary>
public sealed class ChartedJitAdmission : IAsyncDisposable
{
    public const string ClientCaConfigMap = "apiserver-webhook-client-ca";
    public const string ApiServerClientSubject = "kube-apiserver-webhook-client";

    private readonly List<JitAdmissionProcess?> _replicas = [];
    private readonly List<(int Port, int MetricsPort)> _ports = [];
    private IReadOnlyList<string> _args = [];
    private string _kubeconfig = "";
    private string? _clientCaFile;
    private Func<int, int, IEnumerable<string>>? _extraArgs;
    private Func<string, Task<string>>? _routeApi;

    private ChartedJitAdmission(KubeSandbox sandbox, string release, string @namespace)
    {
        Sandbox = sandbox;
        Release = release;
        Namespace = @namespace;
    }

    public KubeSandbox Sandbox { get; }
    public string Release { get; }
    public string Namespace { get; }

    /// <summary>What Helm installed.</summary>
    internal RenderedChart Manifest { get; private set; } = null!;

    /// <summary>The ServiceAccount the replicas run as: <c>system:serviceaccount:NS:NAME</c>.</summary>
    public string ServiceAccount { get; private set; } = "";

    /// <summary>The running replicas (a stopped one is null until restarted).</summary>
    public IReadOnlyList<JitAdmissionProcess?> Replicas => _replicas;

    /// <summary>Every replica's log, for failure messages.</summary>
    public string Output => string.Join("\n", _replicas.Select((r, i) => $"--- replica {i} ---\n{r?.Output}"));

    /// <summary>
    /// Installs the chart into <paramref name="namespace"/> (with <paramref name="setValues"/>, <c>--set</c> style) and starts
    /// <paramref name="replicas"/> replicas. With <paramref name="clientAuth"/> the API server's webhook client CA goes into
    /// a ConfigMap and the chart's <c>webhook.clientAuth</c> is turned on, as an admin would.
    /// </summary>
    public static async Task<ChartedJitAdmission> InstallAsync(
        KubeSandbox sandbox, string release, string @namespace, int replicas = 2, bool clientAuth = true, IEnumerable<string>? setValues = null,
        Func<int, int, IEnumerable<string>>? extraArgs = null, Func<string, Task<string>>? routeApi = null)
    {
        var charted = new ChartedJitAdmission(sandbox, release, @namespace) { _extraArgs = extraArgs, _routeApi = routeApi };
        try
        {
            await charted.InstallChartAsync(clientAuth, setValues ?? []);
            await charted.RunAsync(replicas);
            return charted;
        }
        catch
        {
            await charted.DisposeAsync();
            throw;
        }
    }

    /// <summary>Runs <paramref name="replicas"/> replicas for a release already installed (an upgrade test installs it itself).</summary>
    public static async Task<ChartedJitAdmission> RunReleaseAsync(KubeSandbox sandbox, string release, string @namespace, int replicas = 1)
    {
        var charted = new ChartedJitAdmission(sandbox, release, @namespace);
        try
        {
            await charted.ReadReleaseAsync();
            await charted.RunAsync(replicas);
            return charted;
        }
        catch
        {
            await charted.DisposeAsync();
            throw;
        }
    }

    private async Task RunAsync(int replicas)
    {
        for (var i = 0; i < replicas; i++) _ports.Add((FreePort.Next(), FreePort.Next()));
        await AnnotateServiceAsync();
        for (var i = 0; i < replicas; i++) _replicas.Add(await StartReplicaAsync(i));
        if (replicas > 0) await WaitUntilRegisteredAsync();
    }

    private async Task InstallChartAsync(bool clientAuth, IEnumerable<string> setValues)
    {
        Require(await Sandbox.AdminKubectlAsync("create", "namespace", Namespace), "create the release namespace");
        List<string> sets = [.. setValues];
        if (clientAuth && Sandbox.WebhookClientCaFile is { } ca)
        {
            Require(await Sandbox.AdminKubectlAsync("create", "configmap", ClientCaConfigMap, "-n", Namespace, $"--from-file=ca.crt={ca}"), "store the client CA");
            sets.AddRange([
                "webhook.clientAuth.enabled=true", $"webhook.clientAuth.caConfigMap={ClientCaConfigMap}",
                $"webhook.clientAuth.subjects={{{ApiServerClientSubject}}}",
            ]);
            _clientCaFile = ca;
        }

        var install = await ChartTools.RunHelmAsync(
            ["install", Release, ChartTools.ChartDirectory, "--namespace", Namespace, .. sets.SelectMany(s => new[] { "--set", s })],
            kubeconfig: Sandbox.AdminKubeconfig);
        Require(install, "helm install");
        await ReadReleaseAsync();
    }

    /// <summary>What Helm installed, and the ServiceAccount's identity to run as.</summary>
    private async Task ReadReleaseAsync()
    {
        var manifest = await ChartTools.RunHelmAsync(["get", "manifest", Release, "--namespace", Namespace], kubeconfig: Sandbox.AdminKubeconfig);
        Require(manifest, "helm get manifest");
        Manifest = RenderedChart.Parse(manifest.Stdout);
        var serviceAccount = Text(Manifest.PodSpec["serviceAccountName"])!;
        ServiceAccount = $"system:serviceaccount:{Namespace}:{serviceAccount}";
        _kubeconfig = await Sandbox.ServiceAccountKubeconfigAsync(Namespace, serviceAccount);
        // The fault scenarios put a fault-injecting proxy between the replicas and the API server (same identity).
        if (_routeApi is not null) _kubeconfig = await _routeApi(_kubeconfig);
        _args = Manifest.Args;
    }

    /// <summary>The Service's endpoints are the replicas' loopback ports (there is no kube-proxy).</summary>
    private async Task AnnotateServiceAsync()
    {
        var service = Name(Manifest.Single("Service"));
        var endpoints = string.Join(",", _ports.Select(p => $"127.0.0.1:{p.Port}"));
        Require(await Sandbox.AdminKubectlAsync("annotate", "service", service, "-n", Namespace, "--overwrite", $"kube-sandbox.io/endpoints={endpoints}"),
            "annotate the Service");
    }

    private async Task<JitAdmissionProcess> StartReplicaAsync(int index, bool waitReady = true)
    {
        var (port, metricsPort) = _ports[index];
        var listen = $"https://127.0.0.1:{port}";
        List<string> args = ["--kubeconfig", _kubeconfig, .. _args, "--listen", listen, "--metrics-listen", $"http://127.0.0.1:{metricsPort}"];
        if (_clientCaFile is not null) args.AddRange(["--webhook-client-ca", _clientCaFile]);
        if (_extraArgs is not null) args.AddRange(_extraArgs(index, port));
        // The Deployment's environment: POD_NAME and POD_NAMESPACE from the downward API.
        var environment = new Dictionary<string, string> { ["POD_NAME"] = $"{Release}-{index}", ["POD_NAMESPACE"] = Namespace };
        return await JitAdmissionProcess.StartAsync(args, listen, listen, TimeSpan.FromSeconds(60), environment, waitReady);
    }

    /// <summary>Replica <paramref name="index"/>'s HTTPS port.</summary>
    public int PortOf(int index) => _ports[index].Port;

    /// <summary>The Prometheus text of replica <paramref name="index"/> (the chart serves it on its own plain-HTTP port).</summary>
    public async Task<string> MetricsAsync(int index)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        return await http.GetStringAsync(new Uri($"http://127.0.0.1:{_ports[index].MetricsPort}/metrics"));
    }

    /// <summary>Starts one more replica without waiting for it to become ready (it may never: RBAC tests).</summary>
    public async Task<JitAdmissionProcess> StartExtraReplicaAsync()
    {
        _ports.Add((FreePort.Next(), FreePort.Next()));
        await AnnotateServiceAsync();
        var replica = await StartReplicaAsync(_ports.Count - 1, waitReady: false);
        _replicas.Add(replica);
        return replica;
    }

    /// <summary>Stops (SIGTERM: the Lease is released) and forgets the last replica.</summary>
    public async Task StopLastReplicaAsync()
    {
        if (_replicas[^1] is { } last) await last.DisposeAsync();
        _replicas.RemoveAt(_replicas.Count - 1);
        _ports.RemoveAt(_ports.Count - 1);
    }

    /// <summary>Kills replica <paramref name="index"/> (SIGKILL: no hand-over).</summary>
    public async Task KillAsync(int index)
    {
        if (_replicas[index] is { } replica) await replica.KillAsync();
    }

    /// <summary>Starts replica <paramref name="index"/> again on its ports.</summary>
    public async Task RestartAsync(int index)
    {
        if (_replicas[index] is { } old) await old.DisposeAsync();
        _replicas[index] = await StartReplicaAsync(index);
    }

    /// <summary>The replica whose POD_NAME holds the Lease, or null.</summary>
    public async Task<int?> LeaderAsync()
    {
        var lease = await Sandbox.AdminKubectlAsync("get", "lease", Name(Manifest.Single("Lease")), "-n", Namespace, "-o", "jsonpath={.spec.holderIdentity}");
        if (!lease.Succeeded) return null;
        for (var i = 0; i < _replicas.Count; i++)
            if (lease.Stdout.StartsWith($"{Release}-{i}_", StringComparison.Ordinal)) return i;
        return null;
    }

    /// <summary>The leader has written the gate's rules and the CA into the chart's webhook configurations.</summary>
    private async Task WaitUntilRegisteredAsync()
    {
        var configuration = Name(Manifest.Single("ValidatingWebhookConfiguration"));
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            var bundle = await Sandbox.AdminKubectlAsync("get", "validatingwebhookconfiguration", configuration, "-o",
                "jsonpath={.webhooks[?(@.name==\"guard.jitadmission.io\")].clientConfig.caBundle}");
            if (bundle.Succeeded && bundle.Stdout.Trim().Length > 0) return;
            await Task.Delay(200);
        }

        throw new TimeoutException($"the leader never wrote the caBundle into {configuration}:\n{Output}");
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var replica in _replicas)
            if (replica is not null) await replica.DisposeAsync();
    }

    private void Require(CommandResult result, string what)
    {
        if (!result.Succeeded) throw new InvalidOperationException($"{what} failed: {result}\n{Output}");
    }
}
