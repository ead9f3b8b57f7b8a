using System.Globalization;
using k8s;

namespace JitAdmission.Benchmarks.Orchestration;

/// <summary>A kube-sandbox API server (etcd + kube-sandbox-apiserver) for the run: up, users, pinning, down.</summary>
public sealed class Sandbox : IAsyncDisposable
{
    private Sandbox(string home, string dir)
    {
        Home = home;
        Dir = dir;
    }

    public string Home { get; }
    public string Dir { get; }
    public string AdminKubeconfig => Path.Combine(Dir, "admin.kubeconfig");

    public static async Task<Sandbox> UpAsync(string home, string dir)
    {
        if (!File.Exists(Path.Combine(home, "up"))) throw new InvalidOperationException($"kube-sandbox not found at {home} (set KUBE_SANDBOX_HOME)");
        Directory.CreateDirectory(dir);
        var sandbox = new Sandbox(home, dir);
        await Processes.RequireAsync(Path.Combine(home, "up"), [dir], TimeSpan.FromSeconds(90));
        return sandbox;
    }

    /// <summary>Process ids of etcd and the API server.</summary>
    public IEnumerable<int> Pids()
    {
        foreach (var name in (string[])["apiserver.pid", "etcd.pid"])
        {
            var file = Path.Combine(Dir, name);
            if (File.Exists(file)) yield return int.Parse(File.ReadAllText(file).Trim(), CultureInfo.InvariantCulture);
        }
    }

    /// <summary>Moves every thread of etcd and the API server to <paramref name="cpus"/>.</summary>
    public async Task PinAsync(string cpus)
    {
        foreach (var pid in Pids())
            await Processes.RequireAsync("taskset", ["-a", "-p", "-c", cpus, pid.ToString(CultureInfo.InvariantCulture)], TimeSpan.FromSeconds(10));
    }

    public double CpuSeconds() => Pids().Sum(pid => ProcStats.CpuSeconds(pid));

    /// <summary>A kubeconfig with a client certificate for user <paramref name="name"/> in <paramref name="groups"/>.</summary>
    public async Task<string> UserAsync(string name, params string[] groups)
    {
        var made = await Processes.RequireAsync(Path.Combine(Home, "mkuser"), [Dir, name, .. groups], TimeSpan.FromSeconds(30));
        var path = made.Stdout.Trim().Split('\n')[^1].Trim();
        return File.Exists(path) ? path : Path.Combine(Dir, "users", name + ".kubeconfig");
    }

    public static IKubernetes Client(string kubeconfig, TimeSpan? timeout = null)
    {
        var config = KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig);
        config.HttpClientTimeout = timeout ?? TimeSpan.FromSeconds(60);
        return new k8s.Kubernetes(config);
    }

    public async ValueTask DisposeAsync() =>
        await Processes.RunAsync(Path.Combine(Home, "down"), [Dir], TimeSpan.FromSeconds(30));
}
