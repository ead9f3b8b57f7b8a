using JitAdmission.Core.Api;
using JitAdmission.Integration.Tests.Crds;
using JitAdmission.Integration.Tests.Infrastructure;
using JitAdmission.Kubernetes.Tests.Support;
using k8s;

namespace JitAdmission.Integration.Tests.EndToEnd;

/// <summary>
/// One kube-sandbox with the CRDs, the users alice (devs), bob (sre) and carol (security), and one real jit-admission
/// process that registered its own webhook configurations: shared by every end-to-end test (they run one after the
/// other, each in its own namespace with its own policies). The admin is jit-admission's own identity, so its setup
/// writes are never gated.
/// </summary>
public sealed class JitCluster : IAsyncLifetime
{
    public const string OperatorNamespace = "jit-e2e";
    public const string ConfigurationName = "jit-admission";

    public KubeSandbox Sandbox { get; } = new();
    public JitAdmissionProcess Jit { get; private set; } = null!;
    public IKubernetes Admin { get; private set; } = null!;

    private readonly Dictionary<string, string> _users = new(StringComparer.Ordinal);

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
        await CrdInstallation.EnsureAsync(Sandbox);
        _users["alice"] = await Sandbox.UserKubeconfigAsync("alice", "devs");
        _users["bob"] = await Sandbox.UserKubeconfigAsync("bob", "sre");
        _users["carol"] = await Sandbox.UserKubeconfigAsync("carol", "security");
        Admin = Sandbox.AdminClient();
        // The API server authenticates itself to the webhook, as it should in production: every e2e test runs so.
        Jit = await JitAdmissionProcess.StartAsync(Sandbox.AdminKubeconfig, OperatorNamespace,
            Sandbox.WebhookClientCaFile is { } ca ? ["--webhook-client-ca", ca] : null);
        // The leader registers the configurations once it serves; nothing is gated or guarded before that.
        await Poll.UntilAsync(async () => (await Sandbox.AdminKubectlAsync("get", "validatingwebhookconfiguration", ConfigurationName)).Succeeded
            && (await Sandbox.AdminKubectlAsync("get", "mutatingwebhookconfiguration", ConfigurationName)).Succeeded,
            TimeSpan.FromSeconds(30), "jit-admission registers its webhook configurations");
    }

    public async Task DisposeAsync()
    {
        if (Jit is not null) await Jit.DisposeAsync();
        Admin?.Dispose();
        await Sandbox.DisposeAsync();
    }

    /// <summary>kubectl as alice, bob or carol.</summary>
    public Task<CommandResult> As(string user, params string[] args) => Sandbox.KubectlAsync(_users[user], args);

    /// <summary>kubectl as a user, with <paramref name="stdin"/> (a manifest for <c>-f -</c>).</summary>
    public Task<CommandResult> Piped(string user, string stdin, params string[] args) => Sandbox.KubectlAsync(_users[user], args, stdin);

    public Task<CommandResult> AsAdmin(params string[] args) => Sandbox.AdminKubectlAsync(args);

    /// <summary>The kubeconfig of alice, bob or carol, for other clients (helm).</summary>
    public string KubeconfigOf(string user) => _users[user];

    /// <summary>A fresh namespace for one test.</summary>
    public async Task<string> NamespaceAsync(string prefix)
    {
        var name = $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 7)];
        Require(await AsAdmin("create", "namespace", name));
        return name;
    }

    /// <summary>kubectl apply -f - as the admin (never gated); fails the test with the output when refused.</summary>
    public async Task ApplyAsync(string yaml)
    {
        var applied = await Sandbox.KubectlAsync(Sandbox.AdminKubeconfig, ["apply", "-f", "-"], yaml);
        Require(applied, yaml);
    }

    /// <summary>The ApprovalRequests in a namespace, oldest first.</summary>
    public async Task<List<ApprovalRequest>> RequestsAsync(string @namespace)
    {
        var list = await Admin.CustomObjects.ListNamespacedCustomObjectAsync<ApprovalRequestList>(
            ApiConstants.Group, ApiConstants.Version, @namespace, ApiConstants.RequestPlural);
        return [.. list.Items.OrderBy(r => r.Metadata.CreationTimestamp).ThenBy(r => r.Metadata.Name, StringComparer.Ordinal)];
    }

    public async Task<ApprovalRequest> RequestAsync(string @namespace, string name) =>
        await Admin.CustomObjects.GetNamespacedCustomObjectAsync<ApprovalRequest>(
            ApiConstants.Group, ApiConstants.Version, @namespace, ApiConstants.RequestPlural, name);

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
        if (!result.Succeeded) throw new Xunit.Sdk.XunitException($"kubectl failed: {result}\n{context}\n--- jit-admission ---\n{Tail(Jit?.Output)}");
    }

    /// <summary>The last lines of jit-admission's log, for failure messages.</summary>
    public static string Tail(string? log, int lines = 40) =>
        log is null ? "" : string.Join('\n', log.Split('\n').TakeLast(lines));
}
