using System.Text.Json.Serialization;

namespace JitAdmission.Benchmarks.Load;

/// <summary>What a load run measured on the client side: throughput and latency percentiles (microseconds).</summary>
public sealed class LoadResult
{
    [JsonPropertyName("driver")] public string Driver { get; set; } = "";
    [JsonPropertyName("connections")] public int Connections { get; set; }
    [JsonPropertyName("durationSeconds")] public double DurationSeconds { get; set; }
    [JsonPropertyName("requests")] public long Requests { get; set; }
    [JsonPropertyName("requestsPerSecond")] public double RequestsPerSecond { get; set; }
    /// <summary>Connect/read/write/timeout errors and non-2xx answers.</summary>
    [JsonPropertyName("errors")] public long Errors { get; set; }
    [JsonPropertyName("latencyUs")] public Percentiles LatencyUs { get; set; } = new();
}

public sealed class Percentiles
{
    [JsonPropertyName("mean")] public double Mean { get; set; }
    [JsonPropertyName("p50")] public double P50 { get; set; }
    [JsonPropertyName("p90")] public double P90 { get; set; }
    [JsonPropertyName("p99")] public double P99 { get; set; }
    [JsonPropertyName("p999")] public double P999 { get; set; }
    [JsonPropertyName("max")] public double Max { get; set; }

    /// <summary>Nearest-rank percentiles of <paramref name="sorted"/> (ascending).</summary>
    public static Percentiles Of(IReadOnlyList<double> sorted)
    {
        ArgumentNullException.ThrowIfNull(sorted);
        if (sorted.Count == 0) return new Percentiles();
        double At(double q) => sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Count) - 1, 0, sorted.Count - 1)];
        return new Percentiles
        {
            Mean = sorted.Average(),
            P50 = At(0.50),
            P90 = At(0.90),
            P99 = At(0.99),
            P999 = At(0.999),
            Max = sorted[^1],
        };
    }
}
