using System.Security.Cryptography;

namespace JitAdmission.Kubernetes.Caching;

/// <summary>Randomness for spreading retries and renewals; not security-relevant, but the shared generator keeps analyzers quiet.</summary>
internal static class Jitter
{
    /// <summary>A value in [0, 1).</summary>
    public static double NextDouble() => RandomNumberGenerator.GetInt32(int.MaxValue) / (double)int.MaxValue;

    /// <summary>Exponential backoff (initial × 2^(attempt-1), capped) with "equal jitter": half fixed, half random.</summary>
    public static TimeSpan Backoff(int attempt, TimeSpan initial, TimeSpan max)
    {
        var exp = Math.Min(Math.Max(attempt - 1, 0), 30);
        var ceiling = Math.Min(initial.TotalMilliseconds * Math.Pow(2, exp), max.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(ceiling / 2 + ceiling / 2 * NextDouble());
    }
}
