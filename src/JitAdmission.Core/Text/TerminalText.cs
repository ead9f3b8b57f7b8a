using System.Globalization;

namespace JitAdmission.Core.Text;

/// <summary>
/// Text a requester wrote (reasons, object names and values, keys) reaches an approver's terminal, a chat message and a
/// log line. Control characters there could rewrite the screen (ANSI escapes), hide or reorder text (bidirectional
/// overrides) or forge log lines (line breaks): they are refused where requesters write, and shown escaped where
/// their text is shown.
/// </summary>
public static class TerminalText
{
    /// <summary>Whether <paramref name="text"/> holds a character that could act on a terminal or reorder text (line breaks allowed when <paramref name="multiline"/>).</summary>
    public static bool HasControl(string? text, bool multiline = false)
    {
        if (string.IsNullOrEmpty(text)) return false;
        foreach (var c in text)
        {
            if (multiline && c is '\n' or '\t') continue;
            if (IsControl(c)) return true;
        }

        return false;
    }

    /// <summary>The text with every such character written as <c>\uXXXX</c> (line breaks and tabs kept when <paramref name="multiline"/>).</summary>
    public static string Escape(string? text, bool multiline = false)
    {
        if (string.IsNullOrEmpty(text) || !HasControl(text, multiline)) return text ?? "";
        var builder = new StringBuilder(text.Length + 16);
        foreach (var c in text)
        {
            if (IsControl(c) && !(multiline && c is '\n' or '\t')) builder.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
            else builder.Append(c);
        }

        return builder.ToString();
    }

    /// <summary>C0 and C1 controls, DEL, and the bidirectional embedding, override and isolate characters.</summary>
    public static bool IsControl(char c) =>
        c < ' ' || c is >= '\u007f' and <= '\u009f' || c is >= '\u202a' and <= '\u202e' || c is >= '\u2066' and <= '\u2069'
        || c is '\u200e' or '\u200f' or '\u061c' or '\u2028' or '\u2029';
}
