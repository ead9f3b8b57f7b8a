using System.Buffers;

namespace JitAdmission.Webhook.Review;

/// <summary>
/// Finds where a JSON object or array ends by its brackets and strings alone, with vectorised searches: several times
/// faster than tokenizing it, which matters for the 100 KB objects a request no policy matches never needs. It checks
/// nesting depth and that brackets balance, not the grammar or UTF-8 inside: that is left to whoever parses the value.
/// </summary>
internal static class JsonExtent
{
    public const int NotFound = -1;
    public const int TooDeep = -2;

    private static readonly SearchValues<byte> Structural = SearchValues.Create("\"{}[]"u8);
    private static readonly SearchValues<byte> InString = SearchValues.Create("\"\\"u8);

    /// <summary>
    /// The index just past the container that opens at <paramref name="start"/>; <see cref="NotFound"/> when it is
    /// not closed within <paramref name="utf8"/> (or does not open there), <see cref="TooDeep"/> when containers nest
    /// more than <paramref name="maxNesting"/> levels (the outer one counts as 1).
    /// </summary>
    public static int End(ReadOnlySpan<byte> utf8, int start, int maxNesting)
    {
        if (start >= utf8.Length || utf8[start] is not ((byte)'{' or (byte)'[')) return NotFound;
        var depth = 0;
        var i = start;
        while (true)
        {
            var next = utf8[i..].IndexOfAny(Structural);
            if (next < 0) return NotFound;
            i += next;
            switch (utf8[i])
            {
                case (byte)'"':
                    i = StringEnd(utf8, i + 1);
                    if (i < 0) return NotFound;
                    continue;
                case (byte)'{' or (byte)'[':
                    if (++depth > maxNesting) return TooDeep;
                    break;
                default:
                    if (--depth == 0) return i + 1;
                    break;
            }

            i++;
        }
    }

    /// <summary>The index just past the closing quote of a string whose content starts at <paramref name="i"/>.</summary>
    private static int StringEnd(ReadOnlySpan<byte> utf8, int i)
    {
        while (i < utf8.Length)
        {
            var next = utf8[i..].IndexOfAny(InString);
            if (next < 0) return NotFound;
            i += next;
            if (utf8[i] == (byte)'"') return i + 1;
            i += 2; // a backslash and the character it escapes
        }

        return NotFound;
    }
}
