namespace JitAdmission.Core.Matching;

/// <summary>
/// Shell-style globs as policies use them for namespaces, names and subjects: <c>*</c> is any run of characters
/// (including none), <c>?</c> is exactly one; everything else is literal and case-sensitive, like Kubernetes names.
/// </summary>
public static class Glob
{
    public static bool HasWildcards(string pattern) => pattern.AsSpan().IndexOfAny('*', '?') >= 0;

    public static bool IsMatch(string pattern, string value) => IsMatch(pattern.AsSpan(), value.AsSpan(), prefixOnly: false);

    /// <summary>True when some string that starts with <paramref name="prefix"/> matches the pattern
    /// (used for generateName, where the API server appends a random suffix after admission).</summary>
    public static bool CanMatchWithPrefix(string pattern, string prefix) => IsMatch(pattern.AsSpan(), prefix.AsSpan(), prefixOnly: true);

    public static bool MatchesAny(IReadOnlyList<string> patterns, string value)
    {
        for (var i = 0; i < patterns.Count; i++)
        {
            if (IsMatch(patterns[i], value)) return true;
        }

        return false;
    }

    // Linear-time greedy matcher with single-star backtracking; no allocations, no regex.
    private static bool IsMatch(ReadOnlySpan<char> pattern, ReadOnlySpan<char> value, bool prefixOnly)
    {
        int p = 0, v = 0, starP = -1, starV = 0;
        while (v < value.Length)
        {
            if (p < pattern.Length && (pattern[p] == '?' || (pattern[p] != '*' && pattern[p] == value[v])))
            {
                p++;
                v++;
            }
            else if (p < pattern.Length && pattern[p] == '*')
            {
                starP = p++;
                starV = v;
            }
            else if (starP >= 0)
            {
                p = starP + 1;
                v = ++starV;
            }
            else
            {
                return false;
            }
        }

        // The value is consumed: for a prefix, any remaining pattern can be satisfied by the unknown suffix.
        if (prefixOnly) return true;
        while (p < pattern.Length && pattern[p] == '*') p++;
        return p == pattern.Length;
    }
}
