using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace JitAdmission.Cli.Model;

/// <summary>
/// Reads the objects of <c>kubectl jit apply</c> as kubectl does: every YAML document (or JSON object) of a file,
/// directory (its .yaml, .yml and .json files, by name; with -R also below) or stdin, and the items of a <c>List</c>.
/// Objects need apiVersion, kind and metadata.name (server-side apply has no generated names).
/// </summary>
internal static class ManifestReader
{
    private static readonly string[] Extensions = [".yaml", ".yml", ".json"];

    /// <summary>The files behind one -f value, in the order kubectl reads them.</summary>
    public static IReadOnlyList<string> Files(string path, bool recursive)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (path.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || path.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
            throw new CliException($"-f {path}: kubectl jit apply reads local files only; download it first, or pipe it: curl -fsSL URL | kubectl jit apply -f -", ExitCodes.Usage);
        if (File.Exists(path)) return [path];
        if (!Directory.Exists(path)) throw new CliException($"the path \"{path}\" does not exist");
        return [.. Directory.EnumerateFiles(path, "*", recursive ? SearchOption.AllDirectories : SearchOption.TopDirectoryOnly)
            .Where(f => Extensions.Contains(Path.GetExtension(f), StringComparer.OrdinalIgnoreCase))
            .Order(StringComparer.Ordinal)];
    }

    /// <summary>The objects in <paramref name="text"/>, read from <paramref name="source"/> (a file name, "STDIN", a kustomization).</summary>
    public static List<ManifestObject> Parse(string text, string source)
    {
        ArgumentNullException.ThrowIfNull(text);
        var trimmed = text.TrimStart();
        return trimmed.StartsWith('{') || trimmed.StartsWith('[') ? ParseJson(text, source) : ParseYaml(text, source);
    }

    private static List<ManifestObject> ParseJson(string text, string source)
    {
        var objects = new List<ManifestObject>();
        try
        {
            var reader = new Utf8JsonReader(System.Text.Encoding.UTF8.GetBytes(text), new JsonReaderOptions { AllowMultipleValues = true, CommentHandling = JsonCommentHandling.Skip });
            while (reader.Read())
            {
                using var document = JsonDocument.ParseValue(ref reader);
                AddJson(objects, document.RootElement, source);
            }
        }
        catch (JsonException e)
        {
            throw new CliException($"error parsing {source}: {e.Message}", e);
        }

        return objects;
    }

    private static void AddJson(List<ManifestObject> objects, JsonElement element, string source)
    {
        if (element.ValueKind != JsonValueKind.Object) throw new CliException($"error parsing {source}: expected an object, not {element.ValueKind}");
        var kind = Text(element, "kind");
        if (IsList(kind) && element.TryGetProperty("items", out var items) && items.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in items.EnumerateArray()) AddJson(objects, item, source);
            return;
        }

        var metadata = element.TryGetProperty("metadata", out var m) && m.ValueKind == JsonValueKind.Object ? m : default;
        objects.Add(Make(source, Text(element, "apiVersion"), kind, Meta(metadata, "name"), Meta(metadata, "namespace"),
            Meta(metadata, "generateName"), JsonSerializer.Serialize(element)));

        static string? Text(JsonElement e, string name) =>
            e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        static string? Meta(JsonElement e, string name) => e.ValueKind == JsonValueKind.Object ? Text(e, name) : null;
    }

    private static List<ManifestObject> ParseYaml(string text, string source)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            throw new CliException($"error parsing {source}: {e.Message}", e);
        }

        var objects = new List<ManifestObject>();
        foreach (var document in stream.Documents) AddYaml(objects, document.RootNode, source);
        return objects;
    }

    private static void AddYaml(List<ManifestObject> objects, YamlNode node, string source)
    {
        // An empty document ("---" alone, comments only) holds nothing, as for kubectl.
        if (node is YamlScalarNode { Value: null or "" or "~" or "null" }) return;
        if (node is not YamlMappingNode map) throw new CliException($"error parsing {source}: a document is not an object");
        var kind = Scalar(map, "kind");
        if (IsList(kind) && Child(map, "items") is YamlSequenceNode items)
        {
            foreach (var item in items) AddYaml(objects, item, source);
            return;
        }

        var metadata = Child(map, "metadata") as YamlMappingNode;
        using var writer = new StringWriter(System.Globalization.CultureInfo.InvariantCulture);
        new YamlStream(new YamlDocument(map)).Save(writer, assignAnchors: false);
        objects.Add(Make(source, Scalar(map, "apiVersion"), kind, Scalar(metadata, "name"), Scalar(metadata, "namespace"),
            Scalar(metadata, "generateName"), writer.ToString()));
    }

    private static ManifestObject Make(string source, string? apiVersion, string? kind, string? name, string? ns, string? generateName, string document)
    {
        var missing = new List<string>();
        if (string.IsNullOrEmpty(apiVersion)) missing.Add("apiVersion not set");
        if (string.IsNullOrEmpty(kind)) missing.Add("kind not set");
        if (missing.Count > 0) throw new CliException($"error validating \"{source}\": error validating data: [{string.Join(", ", missing)}]");
        if (string.IsNullOrEmpty(name))
            throw new CliException(generateName is { Length: > 0 }
                ? $"from {source}: cannot use generate name with apply ({kind} {generateName}…): give it a metadata.name"
                : $"error when applying a {kind} from \"{source}\": resource name may not be empty (metadata.name)");
        return new ManifestObject(source, apiVersion!, kind!, name, string.IsNullOrEmpty(ns) ? null : ns, document);
    }

    private static bool IsList(string? kind) => kind is not null && kind.EndsWith("List", StringComparison.Ordinal);

    private static YamlNode? Child(YamlMappingNode? map, string key) =>
        map is not null && map.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;

    private static string? Scalar(YamlMappingNode? map, string key) => (Child(map, key) as YamlScalarNode)?.Value;
}
