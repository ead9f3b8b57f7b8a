using System.Text;

namespace JitAdmission.Cli.Output;

/// <summary>A table like kubectl prints it: upper-case headers, left-aligned columns three spaces apart, no borders.</summary>
internal sealed class TextTable(IReadOnlyList<string> headers)
{
    private const int Gap = 3;
    private readonly List<IReadOnlyList<string>> _rows = [];

    public void Add(IReadOnlyList<string> cells)
    {
        ArgumentNullException.ThrowIfNull(cells);
        if (cells.Count != headers.Count) throw new ArgumentException($"expected {headers.Count} cells, got {cells.Count}", nameof(cells));
        _rows.Add([.. cells.Select(OneLine)]);
    }

    public override string ToString()
    {
        var widths = headers.Select((h, i) => _rows.Select(r => r[i].Length).Append(h.Length).Max()).ToArray();
        var text = new StringBuilder();
        foreach (var row in _rows.Prepend(headers))
        {
            var line = new StringBuilder();
            for (var i = 0; i < row.Count; i++)
            {
                line.Append(row[i]);
                if (i < row.Count - 1) line.Append(' ', widths[i] - row[i].Length + Gap);
            }

            text.Append(line.ToString().TrimEnd()).Append('\n');
        }

        return text.ToString();
    }

    // Cells hold names, reasons and comments other people wrote: never raw control characters.
    private static string OneLine(string cell)
    {
        var line = TerminalText.Escape(cell.ReplaceLineEndings(" ").Trim());
        return line.Length == 0 ? "-" : line;
    }
}
