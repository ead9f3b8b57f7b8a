using System.Text.Json.Nodes;

namespace JitAdmission.Cli.PolicyTesting;

/// <summary>
/// The files a test file names, read as <c>kubectl apply -f</c> reads them: a file, or a directory's .yaml, .yml and
/// .json files by name (not the directories below, so <c>deploy/examples/</c> does not pick up its <c>tests/</c>), every
/// YAML document and the items of a <c>List</c>. Paths are relative to the test file.
/// </summary>
internal static class ManifestFiles
{
    private static readonly string[] Extensions = [".yaml", ".yml", ".json"];

    /// <summary>The files behind <paramref name="entry"/>; <paramref name="where"/> says which field of which test file named it.</summary>
    public static IReadOnlyList<string> Expand(string baseDirectory, string entry, string where)
    {
        var path = Path.GetFullPath(Path.Combine(baseDirectory, entry));
        if (File.Exists(path)) return [path];
        if (!Directory.Exists(path)) throw TestInput.Error($"{where}: \"{entry}\" does not exist ({path})");
        var files = Directory.EnumerateFiles(path)
            .Where(f => Extensions.Contains(Path.GetExtension(f), StringComparer.OrdinalIgnoreCase))
            .Order(StringComparer.Ordinal)
            .ToList();
        if (files.Count == 0) throw TestInput.Error($"{where}: the directory \"{entry}\" has no .yaml, .yml or .json files");
        return files;
    }

    /// <summary>Every object in the file, List items included.</summary>
    public static List<JsonObject> Objects(string file, string displayName)
    {
        string text;
        try
        {
            text = File.ReadAllText(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw TestInput.Error($"{displayName}: cannot read: {e.Message}");
        }

        var objects = new List<JsonObject>();
        foreach (var document in YamlJson.Documents(text, displayName)) Add(objects, document, displayName);
        return objects;
    }

    private static void Add(List<JsonObject> objects, JsonNode node, string source)
    {
        if (node is not JsonObject obj) throw TestInput.Error($"{source}: a document is not an object");
        var kind = obj["kind"] is JsonValue k && k.TryGetValue<string>(out var text) ? text : null;
        if (kind is not null && kind.EndsWith("List", StringComparison.Ordinal) && obj["items"] is JsonArray items)
        {
            foreach (var item in items)
            {
                if (item is not null) Add(objects, item, source);
            }

            return;
        }

        objects.Add(obj);
    }

    /// <summary>A path as people read it in errors: relative to the working directory when below it.</summary>
    public static string Display(string path)
    {
        var relative = Path.GetRelativePath(Directory.GetCurrentDirectory(), path);
        return relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative) ? path : relative;
    }
}
