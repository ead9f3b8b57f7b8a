using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;

namespace JitAdmission.Kubernetes.Caching;

/// <summary>
/// Shares equal strings between cached objects. Ten thousand ApprovalRequests repeat the same API version, namespaces,
/// groups, policy names and condition reasons, and the JSON reader gives every object its own copies: about 9 MiB of
/// a 60 MiB heap in <c>make bench</c>. Bounded: once full, or for a long value, the string is returned as it came,
/// so the pool only ever saves memory. Safe from any thread.
/// </summary>
public sealed class StringPool(int maxEntries = 8192, int maxLength = 128)
{
    private readonly ConcurrentDictionary<string, string> _pool = new(StringComparer.Ordinal);
    private int _count;

    /// <summary>How many distinct values the pool holds.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>The pooled copy of <paramref name="value"/> (equal to it), pooling it while there is room.</summary>
    [return: NotNullIfNotNull(nameof(value))]
    public string? Share(string? value)
    {
        if (value is null || value.Length > maxLength) return value;
        if (_pool.TryGetValue(value, out var pooled)) return pooled;
        if (Volatile.Read(ref _count) >= maxEntries) return value;
        pooled = _pool.GetOrAdd(value, value);
        if (ReferenceEquals(pooled, value)) Interlocked.Increment(ref _count);
        return pooled;
    }

    /// <summary>Replaces every element of <paramref name="values"/> by its pooled copy.</summary>
    public void ShareAll(IList<string>? values)
    {
        if (values is null) return;
        for (var i = 0; i < values.Count; i++) values[i] = Share(values[i]);
    }
}
