using JitAdmission.Core.Api;
using k8s;

namespace JitAdmission.Integration.Tests.Infrastructure;

/// <summary>
/// A real Kubernetes API server for a test class. By default a fresh kube-sandbox (../shared/kube-sandbox, or
/// $KUBE_SANDBOX_HOME); with $JIT_TEST_KUBECONFIG any cluster (kind), where users are impersonated instead
/// of getting their own certificates, and where the API server must be able to reach the test host for webhooks.
/// </summary>
public sealed class KubeSandbox : IAsyncLifetime
{
    private readonly string? _sandboxHome;
    private readonly Dictionary<string, string> _userKubeconfigs = new();

    public KubeSandbox()
    {
        External = Environment.GetEnvironmentVariable("JIT_TEST_KUBECONFIG") is { Length: > 0 };
        _sandboxHome = External ? null : LocateSandboxHome();
        Dir = Directory.CreateTempSubdirectory("jit-sandbox-").FullName;
    }

    /// <summary>True when running against a cluster given by $JIT_TEST_KUBECONFIG.</summary>
    public bool External { get; }

    /// <summary>Scratch directory for this sandbox (state, users, logs).</summary>
    public string Dir { get; }

    public string AdminKubeconfig { get; private set; } = "";
    public string Kubectl { get; private set; } = "";
    public string Helm { get; private set; } = "";

    /// <summary>The API server URL and the CA file of its serving certificate (sandbox only).</summary>
    public string ServerUrl { get; private set; } = "";

    /// <summary>A CA and serving certificate for 127.0.0.1 that webhooks under test can use (sandbox only).</summary>
    public string WebhookCertFile => Path.Combine(Dir, "pki", "webhook.crt");
    public string WebhookKeyFile => Path.Combine(Dir, "pki", "webhook.key");
    public string CaFile => Path.Combine(Dir, "pki", "ca.crt");

    /// <summary>
    /// The CA of the client certificate the API server presents to every webhook (sandbox only; null for an external
    /// cluster, whose API server may not authenticate itself): jit-admission's --webhook-client-ca.
    /// </summary>
    public string? WebhookClientCaFile => External ? null : Path.Combine(Dir, "pki", "webhook-client-ca.crt");

    public async Task InitializeAsync()
    {
        (Kubectl, Helm) = await ToolPaths.GetAsync(LocateSandboxHome());
        if (External)
        {
            AdminKubeconfig = Environment.GetEnvironmentVariable("JIT_TEST_KUBECONFIG")!;
        }
        else
        {
            // RBAC enforced, as on every real cluster: users get only what their bindings give them.
            var up = await ProcessRunner.RunAsync(Path.Combine(_sandboxHome!, "up"), [Dir, "--rbac"], timeout: TimeSpan.FromSeconds(60));
            if (!up.Succeeded) throw new InvalidOperationException($"kube-sandbox up failed: {up}");
            AdminKubeconfig = Path.Combine(Dir, "admin.kubeconfig");
        }

        ServerUrl = KubernetesClientConfiguration.BuildConfigFromConfigFile(AdminKubeconfig).Host;
    }

    public async Task DisposeAsync()
    {
        if (!External)
        {
            await ProcessRunner.RunAsync(Path.Combine(_sandboxHome!, "down"), [Dir], timeout: TimeSpan.FromSeconds(30));
            try { Directory.Delete(Dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    /// <summary>
    /// Crashes the API server (SIGKILL) and starts it again with the same command line, keeping etcd (and so every
    /// object): what clients see when a control-plane node restarts. Sandbox only.
    /// </summary>
    public Task RestartApiServerAsync(TimeSpan? downtime = null) => RestartAsync("apiserver", crash: true, downtime);

    /// <summary>
    /// kube-sandbox's <c>restart</c>: stops the API server, etcd or both (SIGKILL when <paramref name="crash"/>, else
    /// SIGTERM), waits <paramref name="downtime"/>, starts them again with their data and returns once the API server
    /// is ready. Sandbox only.
    /// </summary>
    public async Task RestartAsync(string parts, bool crash, TimeSpan? downtime = null)
    {
        if (External) throw new InvalidOperationException("cannot restart the API server of an external cluster");
        List<string> args = [Dir, parts, "--down", (downtime ?? TimeSpan.Zero).TotalSeconds.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture)];
        if (crash) args.Add("--kill");
        var restarted = await ProcessRunner.RunAsync(Path.Combine(_sandboxHome!, "restart"), args, timeout: TimeSpan.FromSeconds(90));
        if (!restarted.Succeeded) throw new InvalidOperationException($"kube-sandbox restart failed: {restarted}");
    }

    public IKubernetes AdminClient() => new WatchableKubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(AdminKubeconfig));

    public static IKubernetes ClientFor(string kubeconfig) => new WatchableKubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig));

    /// <summary>A kubeconfig for USER in GROUPS: a client certificate (CN=user, O=groups) on the sandbox, impersonation elsewhere.</summary>
    public async Task<string> UserKubeconfigAsync(string user, params string[] groups)
    {
        var key = user + "|" + string.Join(",", groups);
        lock (_userKubeconfigs)
            if (_userKubeconfigs.TryGetValue(key, out var existing)) return existing;

        string path;
        if (External)
        {
            path = Path.Combine(Dir, $"{user}.kubeconfig");
            var view = await ProcessRunner.RunAsync(Kubectl, ["--kubeconfig", AdminKubeconfig, "config", "view", "--raw", "--minify", "--flatten"]);
            if (!view.Succeeded) throw new InvalidOperationException(view.ToString());
            // kubectl reads `--as` as its own global flag, so `config set-credentials --as` would write nothing:
            // set the kubeconfig's impersonation fields (as, as-groups) on the only user directly.
            await File.WriteAllTextAsync(path, Impersonating(view.Stdout, user, groups));
        }
        else
        {
            var mk = await ProcessRunner.RunAsync(Path.Combine(_sandboxHome!, "mkuser"), [Dir, user, .. groups]);
            if (!mk.Succeeded) throw new InvalidOperationException($"mkuser failed: {mk}");
            path = mk.Stdout.Trim().Split('\n')[^1].Trim();
            if (!File.Exists(path)) path = Path.Combine(Dir, "users", $"{user}.kubeconfig");
        }

        lock (_userKubeconfigs) _userKubeconfigs[key] = path;
        return path;
    }

    /// <summary>
    /// A ServiceAccount's identity (<c>system:serviceaccount:NS:NAME</c> with its groups), as the API server and RBAC see
    /// a pod running as it: how the operator runs out of cluster with exactly the permissions its chart grants.
    /// </summary>
    public Task<string> ServiceAccountKubeconfigAsync(string @namespace, string name) =>
        UserKubeconfigAsync($"system:serviceaccount:{@namespace}:{name}", "system:serviceaccounts", $"system:serviceaccounts:{@namespace}");

    /// <summary>The chart's ClusterRoles for people (requester, viewer, approver, policy admin), as deploy/rbac renders them.</summary>
    public async Task InstallUserRolesAsync()
    {
        var applied = await KubectlAsync(AdminKubeconfig, ["apply", "--server-side", "-f", Path.Combine(RepoRoot(), "deploy", "rbac", "clusterroles.yaml")]);
        if (!applied.Succeeded) throw new InvalidOperationException($"cannot install the user roles: {applied}");
    }

    /// <summary>
    /// Binds <paramref name="clusterRole"/> to a user (or, with <paramref name="group"/>, a group): in one namespace
    /// with a RoleBinding, cluster-wide with a ClusterRoleBinding. Idempotent.
    /// </summary>
    public async Task BindAsync(string clusterRole, string subject, string? @namespace = null, bool group = false)
    {
        var kind = group ? "Group" : "User";
        var name = $"test-{clusterRole}-{kind}-{subject}".ToLowerInvariant().Replace(':', '-');
        var metadata = @namespace is null ? $"{{name: \"{name}\"}}" : $"{{name: \"{name}\", namespace: \"{@namespace}\"}}";
        var yaml = $$"""
            apiVersion: rbac.authorization.k8s.io/v1
            kind: {{(@namespace is null ? "ClusterRoleBinding" : "RoleBinding")}}
            metadata: {{metadata}}
            roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: "{{clusterRole}}"}
            subjects: [{apiGroup: rbac.authorization.k8s.io, kind: {{kind}}, name: "{{subject}}"}]
            """;
        await ApplyAsync(yaml);
    }

    /// <summary>Runs real kubectl with the given kubeconfig.</summary>
    public Task<CommandResult> KubectlAsync(string kubeconfig, IEnumerable<string> args, string? stdin = null, TimeSpan? timeout = null) =>
        ProcessRunner.RunAsync(Kubectl, ["--kubeconfig", kubeconfig, .. args], stdin, timeout: timeout ?? TimeSpan.FromSeconds(60));

    public Task<CommandResult> AdminKubectlAsync(params string[] args) => KubectlAsync(AdminKubeconfig, args);

    /// <summary>kubectl apply -f - as the admin; throws with the output when it fails.</summary>
    public async Task ApplyAsync(string yaml)
    {
        var r = await KubectlAsync(AdminKubeconfig, ["apply", "-f", "-"], yaml);
        if (!r.Succeeded) throw new InvalidOperationException($"kubectl apply failed: {r}\n{yaml}");
    }

    /// <summary>Repository root (holds JitAdmission.sln).</summary>
    public static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "JitAdmission.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("cannot find the repository root (JitAdmission.sln) above " + AppContext.BaseDirectory);
    }

    private static string LocateSandboxHome()
    {
        var home = Environment.GetEnvironmentVariable("KUBE_SANDBOX_HOME");
        if (string.IsNullOrEmpty(home)) home = Path.GetFullPath(Path.Combine(RepoRoot(), "..", "shared", "kube-sandbox"));
        if (!File.Exists(Path.Combine(home, "up")))
            throw new InvalidOperationException($"kube-sandbox not found at {home}: set KUBE_SANDBOX_HOME, or JIT_TEST_KUBECONFIG to use another cluster");
        return home;
    }

    private static string Impersonating(string kubeconfigYaml, string user, string[] groups)
    {
        var yaml = new YamlDotNet.RepresentationModel.YamlStream();
        yaml.Load(new StringReader(kubeconfigYaml));
        var root = (YamlDotNet.RepresentationModel.YamlMappingNode)yaml.Documents[0].RootNode;
        var users = (YamlDotNet.RepresentationModel.YamlSequenceNode)root["users"];
        var entry = (YamlDotNet.RepresentationModel.YamlMappingNode)users.Children.Single();
        var credentials = (YamlDotNet.RepresentationModel.YamlMappingNode)entry["user"];
        credentials.Children[new YamlDotNet.RepresentationModel.YamlScalarNode("as")] = new YamlDotNet.RepresentationModel.YamlScalarNode(user);
        credentials.Children[new YamlDotNet.RepresentationModel.YamlScalarNode("as-groups")] =
            new YamlDotNet.RepresentationModel.YamlSequenceNode(groups.Select(g => new YamlDotNet.RepresentationModel.YamlScalarNode(g)));
        using var writer = new StringWriter();
        yaml.Save(writer, assignAnchors: false);
        return writer.ToString();
    }
}
