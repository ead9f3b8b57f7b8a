using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Runtime.InteropServices;
using System.Text.Json;
using JitAdmission.Benchmarks.Load;
using JitAdmission.Benchmarks.Payloads;
using JitAdmission.Core.Api;
using k8s;

namespace JitAdmission.Benchmarks.Orchestration;

/// <summary>
/// <c>make bench</c> end to end: a kube-sandbox API server, the real jit-admission binary against it, the baseline,
/// load scenarios (wrk or the .NET driver), memory with 10,000 cached requests, held-call latency through the API
/// server, the micro-benchmarks, and the report (report.json, report.md) with the targets.
/// </summary>
public sealed partial class BenchRun(BenchOptions options)
{
    private const string OperatorNamespace = "jit-bench";
    private const string UnmatchedNamespace = "unmatched";
    private const string HeldNamespace = "held";
    private const string Requester = "bench-requester";
    private static readonly string[] RequesterGroups = ["bench-devs"];
    private const string Approver = "bench-approver";
    private const string GrantName = "bench-grant";

    private readonly BenchReport _report = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Dictionary<string, (byte[] Body, string File)> _bodies = [];
    private Sandbox? _sandbox;
    private IKubernetes? _admin;
    private IKubernetes? _requester;
    private IKubernetes? _approver;
    private WebhookServer? _jit;
    private WebhookServer? _baseline;
    private WrkLoadDriver? _wrk;
    private int _policies;
    private int _cachedRequests;

    public async Task<int> RunAsync()
    {
        Directory.CreateDirectory(options.ResultsDir);
        _report.StartedAt = DateTimeOffset.UtcNow;
        DescribeMachine();
        Log($"results: {options.ResultsDir}");
        Log($"load average at start: {_report.Machine.LoadAverageStart} ({_report.Machine.Cores} cores)");
        var failed = false;
        try
        {
            await PhaseAsync("set up: sandbox, CRDs, users, jit-admission, baseline", SetUpAsync);
            await PhaseAsync("load: baseline and jit-admission at 1, 100, 1000 policies", LoadScenariosAsync);
            await PhaseAsync($"memory: {options.CachedRequests} ApprovalRequests cached", MemoryAsync);
            await PhaseAsync($"held calls: {options.HeldCalls} approvals through the API server", HeldCallsAsync);
        }
        catch (Exception e)
        {
            failed = true;
            _report.Notes.Add("The run failed: " + e.Message);
            Console.Error.WriteLine(e);
            if (_jit is not null) Console.Error.WriteLine("--- jit-admission (tail) ---\n" + Tail(_jit.Tail(), 60));
        }
        finally
        {
            await PhaseAsync("tear down", TearDownAsync);
        }

        if (!failed && options.Micro) await PhaseAsync("micro-benchmarks (BenchmarkDotNet)", MicroAsync);

        _report.FinishedAt = DateTimeOffset.UtcNow;
        _report.TotalSeconds = _clock.Elapsed.TotalSeconds;
        _report.Machine.LoadAverageEnd = ProcStats.LoadAverage();
        Targets.Evaluate(_report);
        await WriteReportAsync();
        return failed ? 1 : 0;
    }

    // ---- set up ----

    private async Task SetUpAsync()
    {
        if (!File.Exists(options.Jit)) throw new InvalidOperationException($"jit-admission is not built: {options.Jit} (run make publish)");
        ChooseDriver();
        WriteBodies();

        (_sandbox, _admin, _jit) = await StartClusterAsync("sandbox", UnmatchedNamespace, HeldNamespace, Cluster.TeamNamespace(0));
        _requester = Sandbox.Client(await _sandbox.UserAsync(Requester, RequesterGroups), TimeSpan.FromSeconds(60));
        _approver = Sandbox.Client(await _sandbox.UserAsync(Approver, "bench-approvers"));

        _baseline = WebhookServer.StartBaseline(options.ServerCpus);
        await _baseline.WaitReadyAsync("/healthz", TimeSpan.FromSeconds(60));
        // The leader registers its webhook configurations once it serves: from then on policies are validated by it.
        await Poll.UntilAsync(async () =>
            (await _admin.AdmissionregistrationV1.ListValidatingWebhookConfigurationAsync()).Items.Any(c => c.Metadata.Name == "jit-admission"),
            TimeSpan.FromSeconds(60), "jit-admission registers its webhook configuration");
        await Task.Delay(3000);
        _report.Memory.RssAtStartMiB = MiB(_jit.Memory().Rss);
        _report.Memory.StartBreakdown = ProcStats.Breakdown(_jit.Pid);
        _report.Method.JitAdmission = $"the real binary ({Path.GetRelativePath(options.RepoRoot, options.Jit)}) out of cluster against a kube-sandbox API server: "
            + "--kubeconfig admin --webhook-url https://127.0.0.1:PORT; "
            + $"default configuration except {WebhookServer.NoPendingCap.Key}={WebhookServer.NoPendingCap.Value} (no cap on pending requests per requester: the memory phase makes 500 per requester)"
            + (options.JitEnvironment.Count == 0 ? "" : "; environment " + string.Join(", ", options.JitEnvironment.Select(e => $"{e.Key}={e.Value}")))
            + " (logs to stdout, drained by the orchestrator as a container runtime would)";
        Log($"jit-admission pid {_jit.Pid} at {_jit.BaseUrl}; baseline pid {_baseline.Pid} at {_baseline.BaseUrl}; driver {_report.Method.Driver}");
    }

    /// <summary>
    /// A kube-sandbox under <paramref name="dir"/> (pinned to the client core) with the CRDs and
    /// <paramref name="namespaces"/>, and a jit-admission against it on the server core, ready. Stopped again if any
    /// step fails.
    /// </summary>
    private async Task<(Sandbox Sandbox, IKubernetes Admin, WebhookServer Jit)> StartClusterAsync(string dir, params string[] namespaces)
    {
        var sandbox = await Sandbox.UpAsync(options.SandboxHome, Path.Combine(options.ResultsDir, dir));
        IKubernetes? admin = null;
        WebhookServer? jit = null;
        try
        {
            await sandbox.PinAsync(options.ClientCpus);
            admin = Sandbox.Client(sandbox.AdminKubeconfig);
            await Cluster.InstallCrdsAsync(admin, Path.Combine(options.RepoRoot, "crds"));
            foreach (var ns in namespaces) await Cluster.NamespaceAsync(admin, ns);
            jit = WebhookServer.StartJitAdmission(options.Jit, sandbox.AdminKubeconfig, OperatorNamespace, options.ServerCpus, options.JitEnvironment);
            await jit.WaitReadyAsync("/readyz", TimeSpan.FromSeconds(90));
            return (sandbox, admin, jit);
        }
        catch
        {
            if (jit is not null) await jit.DisposeAsync();
            admin?.Dispose();
            await sandbox.DisposeAsync();
            throw;
        }
    }

    /// <summary>One request before measuring: the server must answer it with an allow.</summary>
    private static async Task CheckAllowedAsync(WebhookServer server, byte[] body, string what)
    {
        var (status, answer) = await server.PostAsync(body);
        if (status != HttpStatusCode.OK || !answer.Contains("\"allowed\":true", StringComparison.Ordinal))
            throw new InvalidOperationException($"{what}: the check request was not allowed ({(int)status}): {answer}");
    }

    private void ChooseDriver()
    {
        var wrkFound = options.Wrk.Contains('/', StringComparison.Ordinal) ? File.Exists(options.Wrk) : Processes.OnPath(options.Wrk);
        var useWrk = options.Driver switch
        {
            "wrk" => wrkFound ? true : throw new InvalidOperationException("--driver wrk, but wrk is not installed"),
            "dotnet" => false,
            _ => wrkFound,
        };
        _report.Method.Driver = useWrk ? "wrk" : "dotnet";
        _report.Method.DriverWhy = useWrk
            ? "wrk (C, epoll, OpenSSL) needs a few µs of client CPU per request, so one client core can saturate one server core; its Lua script posts the AdmissionReview over keep-alive TLS"
            : (options.Driver == "dotnet" ? "the .NET driver was asked for" : "wrk is not installed and could not be installed: the .NET driver (HttpClient, keep-alive TLS) is used instead")
              + "; it costs more client CPU per request than wrk, so on one client core it may saturate before the server: see the client-core column";
        _report.Method.ServerCpus = options.ServerCpus;
        _report.Method.ClientCpus = options.ClientCpus;
        _report.Method.WarmupSeconds = options.WarmupSeconds;
        _report.Method.DurationSeconds = options.DurationSeconds;
        _report.Method.Connections = options.Connections;
        _report.Method.ConsumeConnections = options.ConsumeConnections;
        if (useWrk) _wrk = new WrkLoadDriver(options.Wrk, Path.Combine(options.RepoRoot, "bench", "wrk", "admission.lua"), options.ClientCpus);
    }

    private void WriteBodies()
    {
        var dir = Path.Combine(options.ResultsDir, "bodies");
        Directory.CreateDirectory(dir);
        foreach (var size in options.ObjectSizes)
        {
            Add("deploy-unmatched", size, new ReviewSpec(ReviewSpec.Deployment, UnmatchedNamespace, "web", Requester, RequesterGroups, size));
            Add("configmap-unmatched", size, new ReviewSpec(ReviewSpec.ConfigMap, UnmatchedNamespace, "settings", Requester, RequesterGroups, size));
            Add("deploy-team", size, new ReviewSpec(ReviewSpec.Deployment, Cluster.TeamNamespace(0), "web", Requester, RequesterGroups, size));
        }

        void Add(string name, int size, ReviewSpec spec)
        {
            var body = AdmissionReviews.Build(spec);
            var file = Path.Combine(dir, $"{name}-{SizeLabel(size)}.json");
            File.WriteAllBytes(file, body);
            _bodies[$"{name}-{size}"] = (body, file);
        }
    }

    // ---- load ----

    private async Task LoadScenariosAsync()
    {
        // JIT tiering and caches: every body at load before anything is measured.
        await WarmUpAsync(_baseline!, ["deploy-unmatched"]);
        await WarmUpAsync(_jit!, ["deploy-unmatched", "configmap-unmatched"]);
        foreach (var count in options.PolicyCounts)
        {
            await EnsurePoliciesAsync(count);
            if (count == options.PolicyCounts[0])
            {
                await CreateGrantAsync();
                await WarmUpAsync(_jit!, ["deploy-team"], connections: 1);
            }

            await QuiesceAsync();
            // The first policies change the code paths taken: warm them before measuring.
            await WarmUpAsync(_jit!, ["deploy-unmatched", "configmap-unmatched"], seconds: 1);
            // One-connection runs at the first and last policy count only (the middle one adds little, and time).
            var oneConnection = count == options.PolicyCounts[0] || count == options.PolicyCounts[^1];
            foreach (var size in options.ObjectSizes)
            {
                // Each jit-admission run is paired with a baseline run just before it: both see the same machine.
                var baseline = await BaselineAsync(size, options.Connections);
                await JitScenarioAsync(NoMatchIndexed, "deploy-unmatched", size, options.Connections, "allow", baseline);
                await JitScenarioAsync(NoMatchUnindexed, "configmap-unmatched", size, options.Connections, "allow", baseline);
                await InterleavedAsync(size);
                if (oneConnection)
                {
                    baseline = await BaselineAsync(size, 1);
                    await JitScenarioAsync(NoMatchIndexed, "deploy-unmatched", size, 1, "allow", baseline);
                    await JitScenarioAsync(NoMatchUnindexed, "configmap-unmatched", size, 1, "allow", baseline);
                }

                await JitScenarioAsync(Consume, "deploy-team", size, options.ConsumeConnections, "consume");
            }
        }

        await PolicyCostAsync();

        // Several calls using one Grant at once: each use is an optimistic write, so they contend.
        await JitScenarioAsync(Consume, "deploy-team", options.ObjectSizes[0], 4, "consume");
        _report.Memory.RssAfterPolicyLoadMiB = MiB(_jit!.Memory().Rss);
    }

    private const string NoMatchIndexed = "no-match, indexed resource";
    private const string NoMatchUnindexed = "no-match, resource not in the index";
    private const string Consume = "consume a Grant approval";

    private async Task WarmUpAsync(WebhookServer server, string[] bodies, int? connections = null, double seconds = 2.5)
    {
        foreach (var name in bodies)
            foreach (var size in options.ObjectSizes)
            {
                var (body, file) = _bodies[$"{name}-{size}"];
                await DriveAsync(server, body, file, connections ?? options.Connections, TimeSpan.FromSeconds(seconds));
            }
    }

    private async Task<string> BaselineAsync(int size, int connections)
    {
        // jit-admission shares the server core: let its background work (re-JIT, reconciles) finish first.
        await QuiesceAsync(30, window: 500);
        var id = $"baseline-{SizeLabel(size)}-c{connections}-{++_baselineRuns}";
        await ScenarioAsync(_baseline!, id, "baseline (bare Kestrel)", "deploy-unmatched", size, connections, null, null);
        return id;
    }

    private int _baselineRuns;

    private Task JitScenarioAsync(string kind, string body, int size, int connections, string expected, string? baseline = null)
    {
        var id = $"{Slug(kind)}-{_policies}p-{SizeLabel(size)}-c{connections}" + (_cachedRequests > 0 ? $"-{_cachedRequests}r" : "");
        return ScenarioAsync(_jit!, id, kind, body, size, connections, expected, baseline);
    }

    private async Task ScenarioAsync(WebhookServer server, string id, string kind, string bodyName, int size, int connections, string? expected, string? baseline)
    {
        var (body, file) = _bodies[$"{bodyName}-{size}"];
        var isJit = expected is not null;
        await CheckAllowedAsync(server, body, id);
        await DriveAsync(server, body, file, connections, TimeSpan.FromSeconds(options.WarmupSeconds));
        var duration = TimeSpan.FromSeconds(connections == 1 ? OneConnectionSeconds(options.DurationSeconds) : options.DurationSeconds);

        var load = ProcStats.LoadAverage();
        _report.Machine.LoadAverageMax = Math.Max(_report.Machine.LoadAverageMax, ProcStats.LoadAverage1());
        var before = isJit ? await server.ScrapeAsync() : null;
        var cores0 = ProcStats.Cores();
        var cpu0 = server.CpuSeconds();
        var sandbox0 = _sandbox!.CpuSeconds();
        var wall = Stopwatch.StartNew();
        var client = await DriveAsync(server, body, file, connections, duration);
        var seconds = wall.Elapsed.TotalSeconds;
        var cpu = server.CpuSeconds() - cpu0;
        var sandboxCpu = _sandbox.CpuSeconds() - sandbox0;
        var busy = ProcStats.Busy(cores0, ProcStats.Cores());
        var after = isJit ? await server.ScrapeAsync() : null;

        var result = new ScenarioResult
        {
            Id = id,
            Server = server.Name,
            Kind = kind,
            Policies = isJit ? _policies : 0,
            CachedRequests = isJit ? _cachedRequests : 0,
            ObjectBytes = size,
            BodyBytes = body.Length,
            Client = client,
            ExpectedOutcome = expected ?? "",
            ServerCpuCores = cpu / seconds,
            SandboxCpuCores = sandboxCpu / seconds,
            LoadAverage = load,
            PairedBaseline = baseline,
        };
        var serverCore = CoreIndex(options.ServerCpus);
        var clientCore = CoreIndex(options.ClientCpus);
        if (serverCore is { } s && s < busy.Length)
        {
            result.ServerCoreBusy = busy[s];
            result.ForeignOnServerCore = Math.Max(0, busy[s] - cpu / seconds);
        }

        if (clientCore is { } c && c < busy.Length) result.ClientCoreBusy = busy[c];
        var served = (double)client.Requests;
        if (before is not null && after is not null)
        {
            var histogram = Delta(before, after, "jitadmission_admission_duration_seconds");
            result.ServerSide = ServerSide.Of(histogram);
            result.Decision = ServerSide.Of(Delta(before, after, "jitadmission_admission_decision_seconds"));
            served = histogram.Count;
            foreach (var (series, value) in after.Matching("jitadmission_admission_requests_total", "endpoint=\"/validate\""))
            {
                var outcome = Label(series, "outcome");
                var delta = value - before.Get(series);
                if (delta > 0) result.Outcomes[outcome] = result.Outcomes.GetValueOrDefault(outcome) + delta;
            }

            result.UnexpectedAnswers = result.Outcomes.Where(o => o.Key != expected).Sum(o => o.Value);
        }

        result.ServerCpuUsPerRequest = served > 0 ? cpu * 1e6 / served : 0;
        _report.Scenarios.Add(result);
        Log($"  {id,-52} {client.RequestsPerSecond,9:0} req/s  p50 {client.LatencyUs.P50 / 1000,6:0.00} ms  p99 {client.LatencyUs.P99 / 1000,6:0.00} ms"
            + (result.ServerSide is { } ss ? $"  server mean {ss.MeanUs,6:0} µs p99 ≤{ss.P99AtMostUs,5:0} µs" : "")
            + (result.Decision is { } d ? $"  decision p99 ≤{d.P99AtMostUs,5:0} µs" : "")
            + $"  cpu {result.ServerCpuUsPerRequest,5:0} µs/req  server core {result.ServerCoreBusy:P0} client core {result.ClientCoreBusy:P0}"
            + (result.UnexpectedAnswers > 0 ? $"  UNEXPECTED {result.UnexpectedAnswers}" : "") + (client.Errors > 0 ? $"  ERRORS {client.Errors}" : ""));
    }

    private Task<LoadResult> DriveAsync(WebhookServer server, byte[] body, string file, int connections, TimeSpan duration) =>
        _wrk is not null
            ? _wrk.RunAsync(server.ValidateUrl, file, connections, duration)
            : DotnetLoadDriver.RunAsync(server.ValidateUrl, body, connections, TimeSpan.Zero, duration, CancellationToken.None);

    private async Task EnsurePoliciesAsync(int count)
    {
        var sw = Stopwatch.StartNew();
        await Cluster.ForEachAsync(_policies, count, 8, i => Cluster.CreatePolicyAsync(_admin!, Cluster.Policy(i)));
        await PoliciesReadyAsync(_admin!, count);
        _policies = count;
        Log($"{count} policies loaded and Ready in {sw.Elapsed.TotalSeconds:0.0} s");
    }

    /// <summary>Waits until <paramref name="count"/> bench policies report Ready: the jit-admission of that cluster has them.</summary>
    private static Task PoliciesReadyAsync(IKubernetes admin, int count) =>
        Poll.UntilAsync(async () =>
        {
            var ready = (await Cluster.PoliciesAsync(admin)).Count(p =>
                p.Metadata.Labels?.ContainsKey("bench") == true && p.Status?.Conditions.Any(c => c.Type == "Ready" && c.Status == "True") == true);
            return ready >= count;
        }, TimeSpan.FromSeconds(180), $"{count} policies are Ready", TimeSpan.FromMilliseconds(500));

    /// <summary>The approval the consume scenarios use: an ahead-of-time Grant by the requester, approved.</summary>
    private async Task CreateGrantAsync()
    {
        await Cluster.CreateRequestAsync(_requester!, Cluster.GrantRequest(GrantName, Cluster.TeamNamespace(0), Cluster.PolicyName(0), Requester, RequesterGroups));
        await Cluster.ApproveAsync(_approver!, Cluster.TeamNamespace(0), GrantName, Approver);
        await Poll.UntilAsync(async () => (await Cluster.GetRequestAsync(_admin!, Cluster.TeamNamespace(0), GrantName)).Status?.Phase == RequestPhase.Approved,
            TimeSpan.FromSeconds(30), "the Grant is Approved");
    }

    /// <summary>Waits until jit-admission is idle (reconciles done): under 3% of a core for two windows in a row.</summary>
    private Task<double> QuiesceAsync(double maxSeconds = 120, int window = 1000) => QuiesceAsync(_jit!, maxSeconds, window);

    private static async Task<double> QuiesceAsync(WebhookServer server, double maxSeconds, int window)
    {
        var sw = Stopwatch.StartNew();
        var quiet = 0;
        while (sw.Elapsed.TotalSeconds < maxSeconds && quiet < 2)
        {
            var before = server.CpuSeconds();
            await Task.Delay(window);
            quiet = server.CpuSeconds() - before < 0.03 * window / 1000.0 ? quiet + 1 : 0;
        }

        return sw.Elapsed.TotalSeconds;
    }

    // ---- memory ----

    private async Task MemoryAsync()
    {
        const int users = 20;
        const int namespaces = 10;
        for (var n = 0; n < namespaces; n++) await Cluster.NamespaceAsync(_admin!, AreqNamespace(n));
        var clients = new IKubernetes[users];
        // mkuser signs with the sandbox CA one at a time (it keeps a serial file).
        for (var u = 0; u < users; u++) clients[u] = Sandbox.Client(await _sandbox!.UserAsync(AreqUser(u), RequesterGroups));

        var sw = Stopwatch.StartNew();
        var failures = 0;
        await Cluster.ForEachAsync(0, options.CachedRequests, 16, async k =>
        {
            var u = k % users;
            var request = Cluster.GrantRequest($"mem-{k:D5}", AreqNamespace(k % namespaces), Cluster.PolicyName(k % _policies), AreqUser(u), RequesterGroups);
            try
            {
                await Cluster.CreateRequestAsync(clients[u], request);
            }
            catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
            {
            }
            catch (k8s.Autorest.HttpOperationException)
            {
                Interlocked.Increment(ref failures);
            }
        });
        _report.Memory.CreateSeconds = sw.Elapsed.TotalSeconds;
        if (failures > 0) throw new InvalidOperationException($"{failures} ApprovalRequests could not be created");
        Log($"{options.CachedRequests} ApprovalRequests created in {sw.Elapsed.TotalSeconds:0.0} s");

        sw.Restart();
        await QuiesceAsync(options.SettleSeconds);
        var all = await _admin!.CustomObjects.ListClusterCustomObjectAsync<ApprovalRequestList>(Cluster.Group, Cluster.Version, ApiConstants.RequestPlural);
        _cachedRequests = all.Items.Count;
        var reconciled = all.Items.Count(r => r.Status?.Phase is not null);
        _report.Memory.SettleSeconds = sw.Elapsed.TotalSeconds;
        Log($"{_cachedRequests} ApprovalRequests in the cluster, {reconciled} reconciled; settled in {sw.Elapsed.TotalSeconds:0.0} s");
        _report.Memory.Policies = _policies;
        _report.Memory.CachedRequests = _cachedRequests;
        _report.Memory.RssIdleMiB = MiB(_jit!.Memory().Rss);
        _report.Memory.IdleBreakdown = ProcStats.Breakdown(_jit.Pid);
        _report.Memory.ManagedHeapIdleMiB = MiB((long)(await _jit.ScrapeAsync()).Get("dotnet_total_memory_bytes"));

        foreach (var size in options.ObjectSizes)
        {
            var baseline = await BaselineAsync(size, options.Connections);
            await JitScenarioAsync(NoMatchIndexed, "deploy-unmatched", size, options.Connections, "allow", baseline);
            await InterleavedAsync(size, withUnindexed: false);
            await JitScenarioAsync(Consume, "deploy-team", size, options.ConsumeConnections, "consume");
        }

        _report.Memory.AfterLoadBreakdown = ProcStats.Breakdown(_jit.Pid);
        var (rss, peak) = _jit.Memory();
        _report.Memory.RssAfterLoadMiB = MiB(rss);
        _report.Memory.PeakRssMiB = MiB(peak);
        _report.Memory.BaselineRssMiB = MiB(_baseline!.Memory().Rss);
        Log($"RSS: idle {_report.Memory.RssIdleMiB:0.0} MiB, after load {_report.Memory.RssAfterLoadMiB:0.0} MiB, peak {_report.Memory.PeakRssMiB:0.0} MiB");
    }

    private static string AreqNamespace(int n) => "areq-" + n.ToString("D2", CultureInfo.InvariantCulture);

    private static string AreqUser(int u) => "areq-user-" + u.ToString("D2", CultureInfo.InvariantCulture);

    // ---- tear down, report ----

    private async Task TearDownAsync()
    {
        if (_jit is not null)
        {
            await File.WriteAllTextAsync(Path.Combine(options.ResultsDir, "jit-admission.log.tail"), _jit.Tail());
            await _jit.DisposeAsync();
        }

        if (_baseline is not null) await _baseline.DisposeAsync();
        await StopTwinAsync();
        _admin?.Dispose();
        _requester?.Dispose();
        _approver?.Dispose();
        if (_sandbox is not null) await _sandbox.DisposeAsync();
    }

    private async Task PhaseAsync(string name, Func<Task> phase)
    {
        Log($"== {name}");
        var sw = Stopwatch.StartNew();
        try
        {
            await phase();
        }
        finally
        {
            _report.Phases.Add(new PhaseTiming { Phase = name, Seconds = Math.Round(sw.Elapsed.TotalSeconds, 1) });
        }
    }

    private async Task WriteReportAsync()
    {
        var json = JsonSerializer.Serialize(_report, JsonOptions);
        var markdown = ReportMarkdown.Render(_report);
        await File.WriteAllTextAsync(Path.Combine(options.ResultsDir, "report.json"), json);
        await File.WriteAllTextAsync(Path.Combine(options.ResultsDir, "report.md"), markdown);
        var latest = Path.Combine(Path.GetDirectoryName(options.ResultsDir)!, "latest");
        Directory.CreateDirectory(latest);
        await File.WriteAllTextAsync(Path.Combine(latest, "report.json"), json);
        await File.WriteAllTextAsync(Path.Combine(latest, "report.md"), markdown);
        Console.WriteLine();
        Console.WriteLine(markdown);
        Log($"report: {Path.Combine(options.ResultsDir, "report.md")} (and report.json; a copy in {latest})");
    }

    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };

    private void DescribeMachine()
    {
        var m = _report.Machine;
        m.Cores = ProcStats.Cores().Length;
        m.CpuModel = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "";
        m.Kernel = RuntimeInformation.OSDescription;
        m.Runtime = RuntimeInformation.FrameworkDescription;
        m.LoadAverageStart = ProcStats.LoadAverage();
        m.LoadAverageMax = ProcStats.LoadAverage1();
        try
        {
            var head = Process.Start(new ProcessStartInfo("git", ["-C", options.RepoRoot, "describe", "--always", "--dirty"]) { RedirectStandardOutput = true });
            m.GitCommit = head?.StandardOutput.ReadToEnd().Trim() ?? "";
            head?.WaitForExit();
        }
        catch (System.ComponentModel.Win32Exception)
        {
        }

        // The server core is what a webhook pod with a 1-CPU limit would get; the rest runs on the client core.
        var cores = ProcStats.Cores().Length;
        if (cores < 2) _report.Notes.Add("Fewer than 2 cores: client and server share the only core.");
    }

    // ---- helpers ----

    // One connection sends ~7 k requests/s at 1 KB: over 2 s its p99 rested on ~140 requests, so one pause of the VM
    // set it, and it swung 2-3x between runs of the same code. Longer runs let the p99 describe the server.
    internal static double OneConnectionSeconds(double duration) => Math.Max(2, Math.Round(duration * 1.5));

    private static Histogram Delta(PrometheusText before, PrometheusText after, string name) =>
        after.Histogram(name, "endpoint=\"/validate\"").Minus(before.Histogram(name, "endpoint=\"/validate\""));

    internal static double MiB(long bytes) => Math.Round(bytes / 1024.0 / 1024.0, 1);

    internal static string SizeLabel(int bytes) => bytes >= 1024 && bytes % 1024 == 0 ? $"{bytes / 1024}KB" : $"{bytes}B";

    private static string Slug(string kind) => kind switch
    {
        NoMatchIndexed => "nomatch-indexed",
        NoMatchUnindexed => "nomatch-unindexed",
        Consume => "consume",
        _ => new string([.. kind.Where(char.IsLetterOrDigit)]),
    };

    private static int? CoreIndex(string cpus) => int.TryParse(cpus, NumberStyles.None, CultureInfo.InvariantCulture, out var i) ? i : null;

    private static string Label(string series, string label)
    {
        var at = series.IndexOf(label + "=\"", StringComparison.Ordinal);
        if (at < 0) return "";
        var rest = series[(at + label.Length + 2)..];
        return rest[..rest.IndexOf('"', StringComparison.Ordinal)];
    }

    private static string Tail(string text, int lines) => string.Join('\n', text.Split('\n').TakeLast(lines));

    private void Log(string message) => Console.WriteLine($"[{_clock.Elapsed:mm\\:ss}] {message}");
}
