using System.Globalization;
using System.Text.Json;

namespace JitAdmission.Benchmarks.Orchestration;

public sealed partial class BenchRun
{
    /// <summary>Runs the BenchmarkDotNet suite in a child process pinned to the server core, then reads its JSON.</summary>
    private async Task MicroAsync()
    {
        var artifacts = Path.Combine(options.ResultsDir, "micro");
        var self = typeof(BenchRun).Assembly.Location;
        var result = await Processes.RunAsync("taskset",
            ["-c", options.ServerCpus, "dotnet", self, "micro", "--artifacts", artifacts, "--filter", options.MicroFilter],
            TimeSpan.FromMinutes(20));
        await File.WriteAllTextAsync(Path.Combine(options.ResultsDir, "micro.log"), result.Stdout + result.Stderr);
        if (!result.Succeeded)
        {
            _report.Notes.Add($"The micro-benchmarks failed (exit {result.ExitCode}); see micro.log.");
            return;
        }

        foreach (var file in Directory.GetFiles(Path.Combine(artifacts, "results"), "*-report-brief.json").Order(StringComparer.Ordinal))
        {
            using var json = JsonDocument.Parse(await File.ReadAllTextAsync(file));
            foreach (var b in json.RootElement.GetProperty("Benchmarks").EnumerateArray())
            {
                if (!b.TryGetProperty("Statistics", out var stats) || stats.ValueKind != JsonValueKind.Object) continue;
                var micro = new MicroResult
                {
                    Benchmark = b.GetProperty("Type").GetString() + "." + b.GetProperty("Method").GetString(),
                    Parameters = b.TryGetProperty("Parameters", out var p) ? p.GetString() ?? "" : "",
                    MeanNs = stats.GetProperty("Mean").GetDouble(),
                    ErrorNs = stats.TryGetProperty("ConfidenceInterval", out var ci) && ci.TryGetProperty("Margin", out var margin) ? margin.GetDouble() : 0,
                };
                if (b.TryGetProperty("Memory", out var memory) && memory.TryGetProperty("BytesAllocatedPerOperation", out var allocated))
                    micro.AllocatedBytes = allocated.GetDouble();
                _report.Micro.Add(micro);
            }
        }

        Log($"{_report.Micro.Count} micro-benchmarks: " + string.Join("; ", _report.Micro.Select(m =>
            $"{m.Benchmark} {m.Parameters} {m.MeanNs.ToString("0", CultureInfo.InvariantCulture)} ns")));
    }
}
