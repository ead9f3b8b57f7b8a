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

    public async Task InitializeAsync()
    {
        (Kubectl, Helm) = await ToolPaths.GetAsync(LocateSandboxHome());
        if (External)
        {
            AdminKubeconfig = Environment.GetEnvironmentVariable("JIT_TEST_KUBECONFIG")!;
        }
        else
        {
            var up = await ProcessRunner.RunAsync(Path.Combine(_sandboxHome!, "up"), [Dir], timeout: TimeSpan.FromSeconds(60));
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

    public IKubernetes AdminClient() => new k8s.Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(AdminKubeconfig));

    public static IKubernetes ClientFor(string kubeconfig) => new k8s.Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig));

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
            await File.WriteAllTextAsync(path, view.Stdout);
            var args = new List<string> { "--kubeconfig", path, "config", "set-credentials", CurrentUser(view.Stdout), "--as", user };
            foreach (var g in groups) { args.Add("--as-group"); args.Add(g); }
            var set = await ProcessRunner.RunAsync(Kubectl, args);
            if (!set.Succeeded) throw new InvalidOperationException(set.ToString());
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

    private static string CurrentUser(string kubeconfigYaml)
    {
        // The minified config has exactly one user; its name follows "users:\n- name: ".
        var lines = kubeconfigYaml.Split('\n');
        for (var i = 0; i < lines.Length; i++)
            if (lines[i].StartsWith("users:", StringComparison.Ordinal) && i + 1 < lines.Length)
                return lines[i + 1].Trim().TrimStart('-').Trim()["name:".Length..].Trim();
        throw new InvalidOperationException("kubeconfig has no user");
    }
}
