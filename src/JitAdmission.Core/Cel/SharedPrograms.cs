using System.Diagnostics.CodeAnalysis;

namespace JitAdmission.Core.Cel;

/// <summary>
/// Identical conditions share one compiled program. Policies stamped from one template (per team, per namespace)
/// repeat the same expressions, and each compiled program keeps its parse tree and lexer (several KB): with a
/// thousand policies that was the largest part of the policy set. Programs are safe to run in parallel, so sharing is
/// free. Entries are weak, so a program lives exactly as long as some policy still holds it.
/// </summary>
internal static class SharedPrograms
{
    private const int MinSweep = 64;
    private static readonly Dictionary<(string ContextNames, string Expression), WeakReference<CelCompileResult>> Cache = [];
    private static readonly Lock Gate = new();
    private static int _sweepAt = MinSweep;

    /// <summary>The result of <see cref="CelCompiler.Compile"/>, shared with every earlier call for the same expression
    /// and context names that is still in use.</summary>
    public static CelCompileResult Compile(string expression, IReadOnlySet<string> contextNames)
    {
        // The context names decide which context.NAME references compile, so they are part of the key (a separate
        // part: no expression text can pose as names plus another expression).
        var key = (string.Join('\n', contextNames.Order(StringComparer.Ordinal)), expression);
        lock (Gate)
        {
            if (TryGetLive(key, out var cached)) return cached;
        }

        var result = CelCompiler.Compile(expression, contextNames);
        lock (Gate)
        {
            // Another caller may have compiled the same key meanwhile: keep one, so sharing holds.
            if (TryGetLive(key, out var cached)) return cached;
            Cache[key] = new WeakReference<CelCompileResult>(result);
            if (Cache.Count >= _sweepAt) Sweep();
            return result;
        }
    }

    private static bool TryGetLive((string, string) key, [NotNullWhen(true)] out CelCompileResult? result)
    {
        result = null;
        return Cache.TryGetValue(key, out var weak) && weak.TryGetTarget(out result);
    }

    // Drops entries whose program no policy holds; the next sweep waits until the cache has doubled, so sweeping
    // stays linear overall.
    private static void Sweep()
    {
        foreach (var (key, weak) in Cache)
            if (!weak.TryGetTarget(out _)) Cache.Remove(key);
        _sweepAt = Math.Max(MinSweep, Cache.Count * 2);
    }
}
