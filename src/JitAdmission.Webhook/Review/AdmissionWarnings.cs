using System.Globalization;
using System.Text;

namespace JitAdmission.Webhook.Review;

/// <summary>
/// Keeps warnings within what the API server passes on. Its warning recorder drops any text with control
/// characters, and once all warnings of a request exceed 4096 runes it truncates every warning to 256 runes and
/// then drops the rest; so we send at most 256 runes each and stay under the total with a note of what was cut.
/// </summary>
public static class AdmissionWarnings
{
    public const int MaxRunesPerWarning = 256;
    public const int MaxTotalRunes = 4096;

    // Room for the omission note, so the total stays under the limit with it.
    private const int NoteReserve = 128;

    public static IReadOnlyList<string> Normalize(IReadOnlyList<string> warnings)
    {
        ArgumentNullException.ThrowIfNull(warnings);
        if (warnings.Count == 0) return warnings;

        var result = new List<string>(warnings.Count);
        int total = 0, omitted = 0;
        for (var i = 0; i < warnings.Count; i++)
        {
            var text = Clean(warnings[i]);
            if (text.Length == 0 || result.Contains(text)) continue;
            var runes = CountRunes(text);
            if (omitted > 0 || total + runes > MaxTotalRunes - NoteReserve)
            {
                omitted++;
                continue;
            }

            result.Add(text);
            total += runes;
        }

        if (omitted > 0)
        {
            result.Add(string.Create(CultureInfo.InvariantCulture,
                $"jit-admission: {omitted} more warning(s) omitted to stay within the API server's {MaxTotalRunes}-character limit"));
        }

        return result;
    }

    /// <summary>Control characters become spaces, broken surrogates U+FFFD; over-long text ends in an ellipsis.</summary>
    internal static string Clean(string? warning)
    {
        if (string.IsNullOrEmpty(warning)) return "";
        if (IsClean(warning)) return warning;

        var builder = new StringBuilder(Math.Min(warning.Length, MaxRunesPerWarning * 2));
        var runes = 0;
        foreach (var rune in warning.EnumerateRunes())
        {
            if (runes == MaxRunesPerWarning - 1)
            {
                builder.Append('…');
                break;
            }

            builder.Append(Rune.IsControl(rune) ? " " : rune.ToString());
            runes++;
        }

        return builder.ToString().Trim();
    }

    private static bool IsClean(string text)
    {
        if (text.Length > MaxRunesPerWarning || char.IsWhiteSpace(text[0]) || char.IsWhiteSpace(text[^1])) return false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsControl(c)) return false;
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1])) i++;
            else if (char.IsSurrogate(c)) return false;
        }

        return true;
    }

    private static int CountRunes(string text)
    {
        var count = 0;
        foreach (var _ in text.EnumerateRunes()) count++;
        return count;
    }
}
