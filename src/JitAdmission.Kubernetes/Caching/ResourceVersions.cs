namespace JitAdmission.Kubernetes.Caching;

/// <summary>
/// Resource versions are opaque strings to clients; etcd-backed servers use increasing integers, which is what
/// every real server serves. We only order them when both parse, and otherwise treat the candidate as newer.
/// </summary>
public static class ResourceVersions
{
    /// <summary>True when <paramref name="candidate"/> is known to be newer than <paramref name="current"/>, or when
    /// they cannot be compared (not both integers) and differ.</summary>
    public static bool IsNewer(string? candidate, string? current)
    {
        if (string.IsNullOrEmpty(current)) return true;
        if (string.IsNullOrEmpty(candidate)) return false;
        if (ulong.TryParse(candidate, out var c) && ulong.TryParse(current, out var k)) return c > k;
        return !string.Equals(candidate, current, StringComparison.Ordinal);
    }

    /// <summary>True only when both parse as integers and <paramref name="a"/> is strictly older than <paramref name="b"/>.</summary>
    public static bool IsKnownOlder(string? a, string? b) =>
        ulong.TryParse(a, out var x) && ulong.TryParse(b, out var y) && x < y;

    /// <summary>True only when both parse as integers and <paramref name="a"/> ≤ <paramref name="b"/>.</summary>
    public static bool IsKnownNotNewer(string? a, string? b) =>
        ulong.TryParse(a, out var x) && ulong.TryParse(b, out var y) && x <= y;
}
