using System.Globalization;
using System.Text.Json;
using BenchmarkDotNet.Running;
using JitAdmission.Benchmarks.Baseline;
using JitAdmission.Benchmarks.Load;
using JitAdmission.Benchmarks.Micro;
using JitAdmission.Benchmarks.Orchestration;
using JitAdmission.Core.Api;

// jit-bench: `make bench` runs `jit-bench run` (bench/run.sh). The other commands are its parts, usable on their own.
const string Usage = """
    jit-bench run [--results DIR] [--driver auto|wrk|dotnet] [--wrk PATH] [--duration S] [--warmup S]
                  [--connections N] [--consume-connections N] [--interleaved-rounds N] [--interleaved-slice S]
                  [--policies 1,100,1000] [--requests N] [--held N] [--settle S] [--no-micro] [--micro-filter GLOB]
                  [--server-cpus C] [--client-cpus C] [--sandbox-home DIR] [--repo DIR] [--jit FILE]
                  [--jit-env KEY=VALUE]...
        the whole benchmark: kube-sandbox + jit-admission + baseline, load, memory, held calls, micro; report in DIR
        (docs/benchmarks.md describes every option)
    jit-bench micro --artifacts DIR [--filter GLOB]     BenchmarkDotNet suite (short job, in process)
    jit-bench baseline --port N                         the bare-Kestrel baseline server on 127.0.0.1:N
    jit-bench drive --url URL --body FILE [--connections N] [--duration S] [--warmup S]
        the .NET load driver alone (prints a JSON result); loopback URLs only
    """;

if (args.Length == 0 || args[0] is "-h" or "--help" || args.Contains("--help") || args.Contains("-h"))
{
    Console.WriteLine(Usage);
    return args.Length == 0 ? 2 : 0;
}

// Before anything serializes (KubernetesClient.Aot knows our API types only through this).
KubernetesJsonMetadata.Register();

string Option(string name, string? fallback = null)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback ?? throw new ArgumentException($"{name} is required\n{Usage}");
}

switch (args[0])
{
    case "run":
        return await new BenchRun(BenchOptions.Parse(args[1..])).RunAsync();
    case "micro":
        var summaries = BenchmarkSwitcher.FromAssembly(typeof(MicroConfig).Assembly)
            .Run(["--filter", Option("--filter", "*")], MicroConfig.Create(Option("--artifacts")));
        return summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success)) ? 1 : 0;
    case "baseline":
        return await BaselineServer.RunAsync(int.Parse(Option("--port"), CultureInfo.InvariantCulture));
    case "drive":
        var url = new Uri(Option("--url"));
        if (!System.Net.IPAddress.TryParse(url.Host, out var ip) || !System.Net.IPAddress.IsLoopback(ip))
            throw new ArgumentException("load goes to loopback addresses only (127.0.0.1 or [::1])");
        var result = await DotnetLoadDriver.RunAsync(url, await File.ReadAllBytesAsync(Option("--body")),
            int.Parse(Option("--connections", "16"), CultureInfo.InvariantCulture),
            TimeSpan.FromSeconds(double.Parse(Option("--warmup", "2"), CultureInfo.InvariantCulture)),
            TimeSpan.FromSeconds(double.Parse(Option("--duration", "8"), CultureInfo.InvariantCulture)), CancellationToken.None);
        Console.WriteLine(JsonSerializer.Serialize(result));
        return 0;
    default:
        Console.Error.WriteLine(Usage);
        return 2;
}
