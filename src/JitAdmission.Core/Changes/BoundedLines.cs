namespace JitAdmission.Core.Changes;

/// <summary>
/// Lines within a character budget; past it, lines are only counted ("… and N more changes"), so one huge change or set
/// costs a count, not a wall of text. Each line is cut at <paramref name="maxLineChars"/> so one field cannot crowd out the rest.
/// </summary>
internal sealed class BoundedLines(int budget, int maxLineChars, string unit)
{
    private readonly List<string> _lines = [];
    private int _used;
    private int _more;

    public bool IsEmpty => _lines.Count == 0 && _more == 0;

    public void Add(string line) => Add(line, () => line);

    public void AddAll(IEnumerable<ChangeLine> lines, string whenNone)
    {
        var any = false;
        foreach (var line in lines)
        {
            any = true;
            Add(null, line.Format);
        }

        if (!any) Add(whenNone);
    }

    /// <summary>Formats the line only when it fits: lines past the budget cost a count.</summary>
    public void Add(Func<string> format) => Add(null, format);

    private void Add(string? text, Func<string> format)
    {
        if (_more > 0)
        {
            _more++;
            return;
        }

        var line = ValueText.Truncate(text ?? format(), maxLineChars);
        var cost = line.Length + (_lines.Count > 0 ? 1 : 0);
        if (_used + cost > budget)
        {
            _more = 1;
            return;
        }

        _lines.Add(line);
        _used += cost;
    }

    public override string ToString()
    {
        if (_more == 0) return string.Join('\n', _lines);
        // Make room for the trailer by giving back whole lines.
        while (true)
        {
            var trailer = $"… and {_more} more {unit}{(_more == 1 ? "" : "s")}";
            var length = _used + trailer.Length + (_lines.Count > 0 ? 1 : 0);
            if (length <= budget || _lines.Count == 0)
            {
                var builder = new StringBuilder();
                foreach (var line in _lines) builder.Append(line).Append('\n');
                return ValueText.Truncate(builder.Append(trailer).ToString(), Math.Max(budget, 1));
            }

            var last = _lines[^1];
            _lines.RemoveAt(_lines.Count - 1);
            _used -= last.Length + (_lines.Count > 0 ? 1 : 0);
            _more++;
        }
    }
}
