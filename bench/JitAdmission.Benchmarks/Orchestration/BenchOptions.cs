using System.Globalization;

namespace JitAdmission.Benchmarks.Orchestration;

/// <summary>Options of <c>jit-bench run</c> (see bench/run.sh and docs/benchmarks.md).</summary>
public sealed class BenchOptions
{
    public string RepoRoot { get; set; } = "";
    public string ResultsDir { get; set; } = "";
    public string SandboxHome { get; set; } = "";
    /// <summary>The jit-admission to measure: a native executable (the Native AOT build that ships) or a .dll run with dotnet.</summary>
    public string Jit { get; set; } = "";
    /// <summary>auto (wrk when installed, else the .NET driver), wrk or dotnet.</summary>
    public string Driver { get; set; } = "auto";
    public string Wrk { get; set; } = "wrk";
    public string ServerCpus { get; set; } = "0";
    public string ClientCpus { get; set; } = "1";
    public double WarmupSeconds { get; set; } = 1;
    public double DurationSeconds { get; set; } = 4;
    public int Connections { get; set; } = 16;
    public int ConsumeConnections { get; set; } = 1;
    /// <summary>Rounds of the interleaved throughput comparison (baseline and jit-admission taking turns), per policy count and object size; 0: none.</summary>
    public int InterleavedRounds { get; set; } = 8;
    public double InterleavedSliceSeconds { get; set; } = 1;
    public int[] PolicyCounts { get; set; } = [1, 100, 1000];
    public int[] ObjectSizes { get; set; } = [1024, 100 * 1024];
    public int CachedRequests { get; set; } = 10_000;
    public int HeldCalls { get; set; } = 50;
    public bool Micro { get; set; } = true;
    /// <summary>How long to wait at most for the controller to finish reconciling the cached requests.</summary>
    public double SettleSeconds { get; set; } = 180;
    public string MicroFilter { get; set; } = "*";
    /// <summary>Extra environment for jit-admission (KEY=VALUE), e.g. to compare a configuration; recorded in the report.</summary>
    public Dictionary<string, string> JitEnvironment { get; } = new(StringComparer.Ordinal);

    public static BenchOptions Parse(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var o = new BenchOptions();
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            double D() => double.Parse(Next(), CultureInfo.InvariantCulture);
            int I() => int.Parse(Next(), CultureInfo.InvariantCulture);
            switch (args[i])
            {
                case "--repo": o.RepoRoot = Next(); break;
                case "--results": o.ResultsDir = Next(); break;
                case "--sandbox-home": o.SandboxHome = Next(); break;
                case "--jit": o.Jit = Next(); break;
                case "--driver": o.Driver = Next(); break;
                case "--wrk": o.Wrk = Next(); break;
                case "--server-cpus": o.ServerCpus = Next(); break;
                case "--client-cpus": o.ClientCpus = Next(); break;
                case "--warmup": o.WarmupSeconds = D(); break;
                case "--duration": o.DurationSeconds = D(); break;
                case "--connections": o.Connections = I(); break;
                case "--consume-connections": o.ConsumeConnections = I(); break;
                case "--interleaved-rounds": o.InterleavedRounds = Math.Max(0, I()); break;
                case "--interleaved-slice": o.InterleavedSliceSeconds = D(); break;
                case "--policies": o.PolicyCounts = [.. Next().Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture))]; break;
                case "--requests": o.CachedRequests = I(); break;
                case "--held": o.HeldCalls = I(); break;
                case "--no-micro": o.Micro = false; break;
                case "--settle": o.SettleSeconds = D(); break;
                case "--jit-env":
                    var kv = Next().Split('=', 2);
                    o.JitEnvironment[kv[0]] = kv.Length > 1 ? kv[1] : "";
                    break;
                case "--micro-filter": o.MicroFilter = Next(); break;
                default: throw new ArgumentException($"unknown option {args[i]}");
            }
        }

        if (o.RepoRoot.Length == 0) o.RepoRoot = FindRepoRoot();
        if (o.ResultsDir.Length == 0) o.ResultsDir = Path.Combine(o.RepoRoot, "bench", "results", DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture));
        if (o.SandboxHome.Length == 0)
            o.SandboxHome = Environment.GetEnvironmentVariable("KUBE_SANDBOX_HOME") is { Length: > 0 } home ? home : Path.GetFullPath(Path.Combine(o.RepoRoot, "..", "shared", "kube-sandbox"));
        if (o.Jit.Length == 0) o.Jit = Path.Combine(o.RepoRoot, "artifacts", "publish", "jit-admission");
        return o;
    }

    private static string FindRepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "JitAdmission.sln"))) dir = dir.Parent;
        return dir?.FullName ?? Directory.GetCurrentDirectory();
    }
}
