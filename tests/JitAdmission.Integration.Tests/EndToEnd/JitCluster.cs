using JitAdmission.Core.Api;
using JitAdmission.Integration.Tests.Crds;
using JitAdmission.Integration.Tests.Infrastructure;
using JitAdmission.Integration.Tests.Infrastructure.Proxy;
using JitAdmission.Kubernetes.Tests.Support;
using k8s;

namespace JitAdmission.Integration.Tests.EndToEnd;

/// <summary>
/// One kube-sandbox with RBAC enforced and jit-admission installed as a cluster admin would install it (the Helm chart,
/// with the API server authenticating itself through its webhook client certificate), served by two replicas of the
/// real binary running as the chart's ServiceAccount (<see cref="ChartedJitAdmission"/>). The people get what a real
/// cluster would give them: alice (devs) <c>edit</c> in each test namespace (<see cref="NamespaceAsync"/>; the chart
/// aggregates its requester role into edit), bob (sre) and carol (security) the chart's approver role (bound
/// cluster-wide through the chart's <c>rbac.approvers</c>), root (group root) <c>cluster-admin</c> through a binding,
/// gated like anyone. Setup writes go through the sandbox's own admin (system:masters), as an installer's would. Shared
/// by every end-to-end test (they run one after the other, each in its own namespace with its own policies).
/// </summary>
public class JitCluster : IAsyncLifetime
{
    public const string OperatorNamespace = "jit-e2e";
    public const string Release = "jit-admission";
    public const string ConfigurationName = "jit-admission";

    public KubeSandbox Sandbox { get; } = new();
    public ChartedJitAdmission Charted { get; private set; } = null!;
    public IKubernetes Admin { get; private set; } = null!;

    /// <summary>The first replica (logs, metrics, direct calls); the API server calls either through the Service.</summary>
    public JitAdmissionProcess Jit => Charted.Replicas[0] ?? throw new InvalidOperationException("replica 0 is stopped");

    private readonly Dictionary<string, string> _users = new(StringComparer.Ordinal);
    private readonly bool _throughFaultProxy;

    public JitCluster()
    {
    }

    /// <summary>With <paramref name="throughFaultProxy"/>, the replicas reach the API server through <see cref="ApiProxy"/>.</summary>
    protected JitCluster(bool throughFaultProxy) => _throughFaultProxy = throughFaultProxy;

    /// <summary>The fault-injecting proxy on the replicas' API path (fault scenarios), or null.</summary>
    public FaultyApiProxy? ApiProxy { get; private set; }

    /// <summary>Extra arguments for every replica (fault scenarios shorten the watch renewal).</summary>
    protected virtual IEnumerable<string> ReplicaArgs => [];

    public async Task InitializeAsync()
    {
        try
        {
            await StartAsync();
        }
        catch
        {
            // A fixture that failed to start is not disposed by xUnit: stop what did start.
            await DisposeAsync();
            throw;
        }
    }

    private async Task StartAsync()
    {
        await Sandbox.InitializeAsync();
        Admin = Sandbox.AdminClient();
        Charted = await ChartedJitAdmission.InstallAsync(Sandbox, Release, OperatorNamespace, replicas: 2,
            // alice makes more pending requests over the whole suite than one person would keep open; the cap itself is
            // tested where it is the subject (ForgedCallsWithoutClientAuthTests).
            setValues: ["rbac.approvers.groups={sre,security}", "gate.maxPendingPerRequester=500"],
            extraArgs: (_, _) => ReplicaArgs,
            routeApi: _throughFaultProxy ? ThroughProxyAsync : null);
        _users["alice"] = await Sandbox.UserKubeconfigAsync("alice", "devs");
        _users["bob"] = await Sandbox.UserKubeconfigAsync("bob", "sre");
        _users["carol"] = await Sandbox.UserKubeconfigAsync("carol", "security");
        _users["root"] = await Sandbox.UserKubeconfigAsync("root", "root");
        await Sandbox.BindAsync("cluster-admin", "root");
    }

    private async Task<string> ThroughProxyAsync(string kubeconfig)
    {
        ApiProxy = await FaultyApiProxy.StartAsync(kubeconfig, new Uri(Sandbox.ServerUrl), Sandbox.WebhookCertFile, Sandbox.WebhookKeyFile);
        return ApiProxy.KubeconfigThrough(kubeconfig);
    }

    public async Task DisposeAsync()
    {
        if (Charted is not null) await Charted.DisposeAsync();
        if (ApiProxy is not null) await ApiProxy.DisposeAsync();
        Admin?.Dispose();
        await Sandbox.DisposeAsync();
    }

    /// <summary>kubectl as alice, bob, carol or root.</summary>
    public Task<CommandResult> As(string user, params string[] args) => Sandbox.KubectlAsync(_users[user], args);

    /// <summary>kubectl as a user, with <paramref name="stdin"/> (a manifest for <c>-f -</c>).</summary>
    public Task<CommandResult> Piped(string user, string stdin, params string[] args) => Sandbox.KubectlAsync(_users[user], args, stdin);

    public Task<CommandResult> AsAdmin(params string[] args) => Sandbox.AdminKubectlAsync(args);

    /// <summary>The kubeconfig of alice, bob or carol, for other clients (helm).</summary>
    public string KubeconfigOf(string user) => _users[user];

    /// <summary>A fresh namespace for one test, where alice may edit (as a team member would).</summary>
    public async Task<string> NamespaceAsync(string prefix)
    {
        var name = $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 7)];
        Require(await AsAdmin("create", "namespace", name));
        await Sandbox.BindAsync("edit", "alice", name);
        return name;
    }

    /// <summary>kubectl apply -f - as the sandbox's admin; fails the test with the output when refused.</summary>
    public async Task ApplyAsync(string yaml)
    {
        var applied = await Sandbox.KubectlAsync(Sandbox.AdminKubeconfig, ["apply", "-f", "-"], yaml);
        Require(applied, yaml);
    }

    /// <summary>The ApprovalRequests in a namespace, oldest first.</summary>
    public async Task<List<ApprovalRequest>> RequestsAsync(string @namespace)
    {
        var list = await ServedAsync(() => Admin.CustomObjects.ListNamespacedCustomObjectAsync<ApprovalRequestList>(
            ApiConstants.Group, ApiConstants.Version, @namespace, ApiConstants.RequestPlural));
        return [.. list.Items.OrderBy(r => r.Metadata.CreationTimestamp).ThenBy(r => r.Metadata.Name, StringComparer.Ordinal)];
    }

    public Task<ApprovalRequest> RequestAsync(string @namespace, string name) =>
        ServedAsync(() => Admin.CustomObjects.GetNamespacedCustomObjectAsync<ApprovalRequest>(
            ApiConstants.Group, ApiConstants.Version, @namespace, ApiConstants.RequestPlural, name));

    /// <summary>
    /// A read as the admin, retried while the API server answers 429 "storage is (re)initializing" (for seconds after
    /// a restart of it or of etcd, with thousands of objects stored: the fault scenarios): a test reads what is stored,
    /// not whether the server is warm yet.
    /// </summary>
    public static async Task<T> ServedAsync<T>(Func<Task<T>> read)
    {
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (true)
        {
            try
            {
                return await read();
            }
            catch (k8s.Autorest.HttpOperationException e) when ((int)e.Response.StatusCode == 429 && DateTime.UtcNow < deadline)
            {
                await Task.Delay(500);
            }
        }
    }

    /// <summary>Waits until a request exists in the namespace (a held call created it) and returns the newest.</summary>
    public async Task<ApprovalRequest> FirstRequestAsync(string @namespace, int count = 1)
    {
        List<ApprovalRequest> requests = [];
        await Poll.UntilAsync(async () => (requests = await RequestsAsync(@namespace)).Count >= count, TimeSpan.FromSeconds(20),
            $"{count} ApprovalRequest(s) in {@namespace}");
        return requests[^1];
    }

    /// <summary>The approval patch from the docs, as <paramref name="user"/>.</summary>
    public Task<CommandResult> ReviewAsync(string user, string @namespace, string request, string reviewer, string decision = "Approve", string extra = "") =>
        As(user, "patch", "areq", request, "-n", @namespace, "--type=json", "-p",
            $$$"""[{"op":"add","path":"/spec/reviews/-","value":{"reviewer":"{{{reviewer}}}","decision":"{{{decision}}}"{{{extra}}}}}]""");

    /// <summary>
    /// Waits until the gate enforces a new policy: the webhook configuration carries its rules, the API server has
    /// loaded them, and jit-admission's policy cache has it. The probe is a dry run as alice, which a gated request
    /// answers with a warning and never records.
    /// </summary>
    public static Task WaitUntilGatedAsync(Func<Task<CommandResult>> dryRun) =>
        Poll.UntilAsync(async () => (await dryRun()).Stderr.Contains("dry run:", StringComparison.Ordinal), TimeSpan.FromSeconds(30),
            "the gate enforces the new policy");

    public void Require(CommandResult result, string? context = null)
    {
        if (!result.Succeeded) throw new Xunit.Sdk.XunitException($"kubectl failed: {result}\n{context}\n--- jit-admission ---\n{Tail(Charted?.Output)}");
    }

    /// <summary>The last lines of jit-admission's log, for failure messages.</summary>
    public static string Tail(string? log, int lines = 40) =>
        log is null ? "" : string.Join('\n', log.Split('\n').TakeLast(lines));
}
