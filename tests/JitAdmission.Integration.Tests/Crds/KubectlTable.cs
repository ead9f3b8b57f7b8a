namespace JitAdmission.Integration.Tests.Crds;

/// <summary>
/// Reads kubectl's human-readable table output. Cells may contain spaces ("UPDATE deployments/web"), so cells
/// are cut at the offsets where the header's column names start, which kubectl keeps aligned.
/// </summary>
internal sealed class KubectlTable
{
    private KubectlTable(IReadOnlyList<string> columns, IReadOnlyList<IReadOnlyDictionary<string, string>> rows)
    {
        Columns = columns;
        Rows = rows;
    }

    public IReadOnlyList<string> Columns { get; }

    public IReadOnlyList<IReadOnlyDictionary<string, string>> Rows { get; }

    public static KubectlTable Parse(string output)
    {
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.Trim().Length > 0).ToList();
        if (lines.Count == 0) throw new InvalidDataException("kubectl printed no table");
        var header = lines[0];
        var starts = new List<(string Name, int Start)>();
        for (var i = 0; i < header.Length; i++)
        {
            if (header[i] == ' ' || (i > 0 && header[i - 1] != ' ')) continue;
            var end = header.IndexOf(' ', i);
            starts.Add((header[i..(end < 0 ? header.Length : end)], i));
        }

        var rows = lines.Skip(1).Select(line =>
        {
            var cells = new Dictionary<string, string>(StringComparer.Ordinal);
            for (var c = 0; c < starts.Count; c++)
            {
                var from = Math.Min(starts[c].Start, line.Length);
                var to = c + 1 < starts.Count ? Math.Min(starts[c + 1].Start, line.Length) : line.Length;
                cells[starts[c].Name] = line[from..to].Trim();
            }

            return (IReadOnlyDictionary<string, string>)cells;
        }).ToList();
        return new KubectlTable(starts.Select(s => s.Name).ToList(), rows);
    }

    public IReadOnlyDictionary<string, string> Row(string name) =>
        Rows.SingleOrDefault(r => r["NAME"] == name || r["NAME"].EndsWith("/" + name, StringComparison.Ordinal))
        ?? throw new KeyNotFoundException($"no row {name} in [{string.Join(", ", Rows.Select(r => r["NAME"]))}]");
}
