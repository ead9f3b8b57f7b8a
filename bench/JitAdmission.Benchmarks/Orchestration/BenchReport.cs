using System.Text.Json.Serialization;
using JitAdmission.Benchmarks.Load;

namespace JitAdmission.Benchmarks.Orchestration;

/// <summary>Everything one <c>make bench</c> run measured; written as report.json and rendered as report.md.</summary>
public sealed class BenchReport
{
    [JsonPropertyName("startedAt")] public DateTimeOffset StartedAt { get; set; }
    [JsonPropertyName("finishedAt")] public DateTimeOffset FinishedAt { get; set; }
    [JsonPropertyName("totalSeconds")] public double TotalSeconds { get; set; }
    [JsonPropertyName("machine")] public MachineInfo Machine { get; set; } = new();
    [JsonPropertyName("method")] public MethodInfo Method { get; set; } = new();
    [JsonPropertyName("targets")] public List<TargetResult> Targets { get; set; } = [];
    [JsonPropertyName("scenarios")] public List<ScenarioResult> Scenarios { get; set; } = [];
    [JsonPropertyName("interleaved")] public List<InterleavedComparison> Interleaved { get; set; } = [];
    [JsonPropertyName("policyCost")] public List<PolicyCostComparison> PolicyCost { get; set; } = [];
    [JsonPropertyName("memory")] public MemoryResult Memory { get; set; } = new();
    [JsonPropertyName("held")] public HeldResult Held { get; set; } = new();
    [JsonPropertyName("micro")] public List<MicroResult> Micro { get; set; } = [];
    [JsonPropertyName("phases")] public List<PhaseTiming> Phases { get; set; } = [];
    [JsonPropertyName("notes")] public List<string> Notes { get; set; } = [];
}

/// <summary>Baseline and jit-admission taking turns in short slices at saturation: requests summed per server.</summary>
public sealed class InterleavedComparison
{
    [JsonPropertyName("kind")] public string Kind { get; set; } = "";
    [JsonPropertyName("policies")] public int Policies { get; set; }
    [JsonPropertyName("cachedRequests")] public int CachedRequests { get; set; }
    [JsonPropertyName("objectBytes")] public int ObjectBytes { get; set; }
    [JsonPropertyName("connections")] public int Connections { get; set; }
    [JsonPropertyName("rounds")] public int Rounds { get; set; }
    [JsonPropertyName("sliceSeconds")] public double SliceSeconds { get; set; }
    [JsonPropertyName("baselineRequests")] public long BaselineRequests { get; set; }
    [JsonPropertyName("jitRequests")] public long JitRequests { get; set; }
    /// <summary>jit-admission's requests over the baseline's, over all slices.</summary>
    [JsonPropertyName("ratio")] public double Ratio { get; set; }
    [JsonPropertyName("roundRatios")] public List<double> RoundRatios { get; set; } = [];
}

/// <summary>One scenario on a one-policy twin and on the main jit-admission (many policies), taking turns in slices.</summary>
public sealed class PolicyCostComparison
{
    [JsonPropertyName("kind")] public string Kind { get; set; } = "";
    [JsonPropertyName("objectBytes")] public int ObjectBytes { get; set; }
    [JsonPropertyName("connections")] public int Connections { get; set; }
    [JsonPropertyName("rounds")] public int Rounds { get; set; }
    [JsonPropertyName("sliceSeconds")] public double SliceSeconds { get; set; }
    [JsonPropertyName("few")] public PolicyCostSide Few { get; set; } = new();
    [JsonPropertyName("many")] public PolicyCostSide Many { get; set; } = new();
}

public sealed class PolicyCostSide
{
    [JsonPropertyName("policies")] public int Policies { get; set; }
    [JsonPropertyName("requests")] public long Requests { get; set; }
    /// <summary>Whole-request mean over all slices, from the summed server histograms.</summary>
    [JsonPropertyName("serverMeanUs")] public double ServerMeanUs { get; set; }
    /// <summary>The median over the slices of each slice's client p50 and p99.</summary>
    [JsonPropertyName("clientP50Us")] public double ClientP50Us { get; set; }
    [JsonPropertyName("clientP99Us")] public double ClientP99Us { get; set; }
    [JsonPropertyName("sliceP99Us")] public List<double> SliceP99Us { get; set; } = [];
}

public sealed class MachineInfo
{
    [JsonPropertyName("cores")] public int Cores { get; set; }
    [JsonPropertyName("cpuModel")] public string CpuModel { get; set; } = "";
    [JsonPropertyName("kernel")] public string Kernel { get; set; } = "";
    [JsonPropertyName("runtime")] public string Runtime { get; set; } = "";
    [JsonPropertyName("loadAverageStart")] public string LoadAverageStart { get; set; } = "";
    [JsonPropertyName("loadAverageEnd")] public string LoadAverageEnd { get; set; } = "";
    /// <summary>Highest 1-minute load average seen at the start of any load scenario.</summary>
    [JsonPropertyName("loadAverageMax")] public double LoadAverageMax { get; set; }
    [JsonPropertyName("gitCommit")] public string GitCommit { get; set; } = "";
}

public sealed class MethodInfo
{
    [JsonPropertyName("driver")] public string Driver { get; set; } = "";
    [JsonPropertyName("driverWhy")] public string DriverWhy { get; set; } = "";
    [JsonPropertyName("serverCpus")] public string ServerCpus { get; set; } = "";
    [JsonPropertyName("clientCpus")] public string ClientCpus { get; set; } = "";
    [JsonPropertyName("warmupSeconds")] public double WarmupSeconds { get; set; }
    [JsonPropertyName("durationSeconds")] public double DurationSeconds { get; set; }
    [JsonPropertyName("connections")] public int Connections { get; set; }
    [JsonPropertyName("consumeConnections")] public int ConsumeConnections { get; set; }
    [JsonPropertyName("jitAdmission")] public string JitAdmission { get; set; } = "";
}

public sealed class ScenarioResult
{
    [JsonPropertyName("id")] public string Id { get; set; } = "";
    [JsonPropertyName("server")] public string Server { get; set; } = "";
    [JsonPropertyName("kind")] public string Kind { get; set; } = "";
    [JsonPropertyName("policies")] public int Policies { get; set; }
    [JsonPropertyName("cachedRequests")] public int CachedRequests { get; set; }
    [JsonPropertyName("objectBytes")] public int ObjectBytes { get; set; }
    [JsonPropertyName("bodyBytes")] public int BodyBytes { get; set; }
    [JsonPropertyName("client")] public LoadResult Client { get; set; } = new();
    /// <summary>From jitadmission_admission_duration_seconds scraped before and after (jit-admission only).</summary>
    [JsonPropertyName("serverSide")] public ServerSide? ServerSide { get; set; }
    /// <summary>From jitadmission_admission_decision_seconds: the same requests from "body read" on (no network, no queueing for it).</summary>
    [JsonPropertyName("decision")] public ServerSide? Decision { get; set; }
    /// <summary>Answers by outcome label (jitadmission_admission_requests_total delta).</summary>
    [JsonPropertyName("outcomes")] public Dictionary<string, double> Outcomes { get; set; } = [];
    [JsonPropertyName("expectedOutcome")] public string ExpectedOutcome { get; set; } = "";
    [JsonPropertyName("unexpectedAnswers")] public double UnexpectedAnswers { get; set; }
    [JsonPropertyName("serverCpuUsPerRequest")] public double ServerCpuUsPerRequest { get; set; }
    /// <summary>CPU the server process used / wall time (1.0 = one core).</summary>
    [JsonPropertyName("serverCpuCores")] public double ServerCpuCores { get; set; }
    [JsonPropertyName("serverCoreBusy")] public double ServerCoreBusy { get; set; }
    [JsonPropertyName("clientCoreBusy")] public double ClientCoreBusy { get; set; }
    /// <summary>Busy time on the server core not used by the server process: other processes (noise).</summary>
    [JsonPropertyName("foreignOnServerCore")] public double ForeignOnServerCore { get; set; }
    [JsonPropertyName("sandboxCpuCores")] public double SandboxCpuCores { get; set; }
    [JsonPropertyName("loadAverage")] public string LoadAverage { get; set; } = "";
    /// <summary>The baseline run just before this one (same object size and connections).</summary>
    [JsonPropertyName("pairedBaseline")] public string? PairedBaseline { get; set; }
    /// <summary>Requests per second over the paired baseline's.</summary>
    [JsonPropertyName("throughputVsBaseline")] public double? ThroughputVsBaseline { get; set; }
    /// <summary>Over the best baseline run of the same size and connections in the whole run (the most conservative).</summary>
    [JsonPropertyName("throughputVsBestBaseline")] public double? ThroughputVsBestBaseline { get; set; }
}

public sealed class ServerSide
{
    [JsonPropertyName("count")] public double Count { get; set; }
    [JsonPropertyName("meanUs")] public double MeanUs { get; set; }
    [JsonPropertyName("p50Us")] public double P50Us { get; set; }
    [JsonPropertyName("p99Us")] public double P99Us { get; set; }
    [JsonPropertyName("p999Us")] public double P999Us { get; set; }
    /// <summary>Upper bound of the histogram bucket holding p99: the p99 is at most this.</summary>
    [JsonPropertyName("p99AtMostUs")] public double P99AtMostUs { get; set; }
    [JsonPropertyName("p999AtMostUs")] public double P999AtMostUs { get; set; }

    public static ServerSide Of(Histogram histogram) => new()
    {
        Count = histogram.Count,
        MeanUs = histogram.Mean * 1e6,
        P50Us = histogram.Quantile(0.50) * 1e6,
        P99Us = histogram.Quantile(0.99) * 1e6,
        P999Us = histogram.Quantile(0.999) * 1e6,
        P99AtMostUs = histogram.UpperBound(0.99) * 1e6,
        P999AtMostUs = histogram.UpperBound(0.999) * 1e6,
    };
}

public sealed class MemoryResult
{
    [JsonPropertyName("policies")] public int Policies { get; set; }
    [JsonPropertyName("cachedRequests")] public int CachedRequests { get; set; }
    [JsonPropertyName("createSeconds")] public double CreateSeconds { get; set; }
    [JsonPropertyName("settleSeconds")] public double SettleSeconds { get; set; }
    [JsonPropertyName("rssAtStartMiB")] public double RssAtStartMiB { get; set; }
    [JsonPropertyName("rssAfterPolicyLoadMiB")] public double RssAfterPolicyLoadMiB { get; set; }
    [JsonPropertyName("rssIdleMiB")] public double RssIdleMiB { get; set; }
    [JsonPropertyName("rssAfterLoadMiB")] public double RssAfterLoadMiB { get; set; }
    [JsonPropertyName("peakRssMiB")] public double PeakRssMiB { get; set; }
    [JsonPropertyName("baselineRssMiB")] public double BaselineRssMiB { get; set; }
    /// <summary>jit-admission's managed heap (dotnet_total_memory_bytes: live objects plus garbage not yet collected), idle with all cached.</summary>
    [JsonPropertyName("managedHeapIdleMiB")] public double ManagedHeapIdleMiB { get; set; }
    [JsonPropertyName("startBreakdown")] public MemoryBreakdown? StartBreakdown { get; set; }
    [JsonPropertyName("idleBreakdown")] public MemoryBreakdown? IdleBreakdown { get; set; }
    [JsonPropertyName("afterLoadBreakdown")] public MemoryBreakdown? AfterLoadBreakdown { get; set; }
}

public sealed class HeldResult
{
    [JsonPropertyName("calls")] public int Calls { get; set; }
    [JsonPropertyName("allowed")] public int Allowed { get; set; }
    [JsonPropertyName("failed")] public int Failed { get; set; }
    [JsonPropertyName("approveToReturnMs")] public Percentiles ApproveToReturnMs { get; set; } = new();
    [JsonPropertyName("approvePatchMs")] public Percentiles ApprovePatchMs { get; set; } = new();
    [JsonPropertyName("samplesMs")] public List<double> SamplesMs { get; set; } = [];
    [JsonPropertyName("errors")] public List<string> Errors { get; set; } = [];
}

public sealed class MicroResult
{
    [JsonPropertyName("benchmark")] public string Benchmark { get; set; } = "";
    [JsonPropertyName("parameters")] public string Parameters { get; set; } = "";
    [JsonPropertyName("meanNs")] public double MeanNs { get; set; }
    [JsonPropertyName("errorNs")] public double ErrorNs { get; set; }
    [JsonPropertyName("allocatedBytes")] public double? AllocatedBytes { get; set; }
}

public sealed class TargetResult
{
    [JsonPropertyName("target")] public string Target { get; set; } = "";
    [JsonPropertyName("measured")] public string Measured { get; set; } = "";
    [JsonPropertyName("pass")] public bool Pass { get; set; }
    [JsonPropertyName("detail")] public string Detail { get; set; } = "";
}

public sealed class PhaseTiming
{
    [JsonPropertyName("phase")] public string Phase { get; set; } = "";
    [JsonPropertyName("seconds")] public double Seconds { get; set; }
}
