using System.Text.Json.Nodes;

namespace JitAdmission.Cli.PolicyTesting;

/// <summary>
/// One mapping of a test file, read field by field, strictly: a misspelt field (<c>expect: {scpoe: Grant}</c>) is an
/// error naming it, never silently ignored, because an ignored expectation is a test that cannot fail.
/// </summary>
internal sealed class TestFileSection
{
    private readonly JsonObject _map;
    private readonly HashSet<string> _known = new(StringComparer.Ordinal);

    public TestFileSection(JsonNode? node, string source, string path)
    {
        Source = source;
        Path = path;
        _map = node as JsonObject ?? throw Fail(path, "expected a mapping (key: value)");
    }

    /// <summary>The file the section is in.</summary>
    public string Source { get; }

    /// <summary>Where in the file: "cases[2] (alice scales web)".</summary>
    public string Path { get; }

    public bool Has(string key)
    {
        _known.Add(key);
        return _map[key] is not null;
    }

    public JsonNode? Node(string key)
    {
        _known.Add(key);
        return _map[key];
    }

    public string? String(string key) => Node(key) switch
    {
        null => null,
        JsonValue value when value.TryGetValue<string>(out var text) => text,
        _ => throw Fail(At(key), "expected a string (quote it if it looks like a number or a boolean)"),
    };

    public string RequiredString(string key) =>
        String(key) is { Length: > 0 } text ? text : throw Fail(At(key), "required");

    public bool? Bool(string key) => Node(key) switch
    {
        null => null,
        JsonValue value when value.TryGetValue<bool>(out var flag) => flag,
        _ => throw Fail(At(key), "expected true or false"),
    };

    /// <summary>A list of strings; a single string counts as a list of one.</summary>
    public List<string>? Strings(string key)
    {
        var node = Node(key);
        if (node is null) return null;
        if (node is JsonValue single && single.TryGetValue<string>(out var one)) return [one];
        if (node is not JsonArray array) throw Fail(At(key), "expected a list of strings");
        var list = new List<string>(array.Count);
        for (var i = 0; i < array.Count; i++)
        {
            if (array[i] is JsonValue value && value.TryGetValue<string>(out var text)) list.Add(text);
            else throw Fail($"{At(key)}[{i}]", "expected a string");
        }

        return list;
    }

    public JsonArray? Array(string key) => Node(key) switch
    {
        null => null,
        JsonArray array => array,
        _ => throw Fail(At(key), "expected a list"),
    };

    /// <summary>An enum value written as its name, e.g. "Grant".</summary>
    public T? Enum<T>(string key)
        where T : struct, Enum
    {
        var text = String(key);
        if (text is null) return null;
        foreach (var value in System.Enum.GetValues<T>())
        {
            if (string.Equals(value.ToString(), text, StringComparison.Ordinal)) return value;
        }

        throw Fail(At(key), $"\"{text}\" is not one of {string.Join(", ", System.Enum.GetValues<T>())}");
    }

    /// <summary>Declares the fields of this section and fails on any other, before a missing one is reported for a misspelt one.</summary>
    public TestFileSection Only(params string[] keys)
    {
        foreach (var key in keys) _known.Add(key);
        RejectUnknown();
        return this;
    }

    public int? Int(string key) => Node(key) switch
    {
        null => null,
        JsonValue value when value.TryGetValue<long>(out var number) && number is >= int.MinValue and <= int.MaxValue => (int)number,
        _ => throw Fail(At(key), "expected a whole number"),
    };

    /// <summary>Fails on any field no reader asked for, listing the known ones.</summary>
    public void RejectUnknown()
    {
        foreach (var (key, _) in _map)
        {
            if (!_known.Contains(key))
                throw Fail(At(key), $"unknown field (known here: {string.Join(", ", _known.Order(StringComparer.Ordinal))})");
        }
    }

    public string At(string key) => Path.Length == 0 ? key : $"{Path}.{key}";

    public CliException Fail(string path, string problem) => TestInput.Error($"{Source}: {path}: {problem}");
}
