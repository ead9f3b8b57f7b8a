using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace JitAdmission.Core.Text;

/// <summary>
/// Reads YAML documents as JSON nodes with typed scalars (bool, integer, number, null), as the API server does,
/// so schema defaults compare with C# values by type and not only by text.
/// </summary>
public static partial class YamlToJson
{
    public static IReadOnlyList<JsonNode?> ParseDocuments(string yaml) => ParseDocuments(yaml, yaml11: false);

    /// <param name="yaml11">
    /// Read plain scalars as Go's YAML 1.1 libraries do (sigs.k8s.io/yaml, used by Helm and kubectl): <c>y</c>, <c>yes</c>,
    /// <c>on</c> and their opposites are booleans, and a map key that resolves to a non-string becomes its JSON text
    /// (<c>n:</c> is the key <c>"false"</c>). Helm manifests are read this way, so they mean what the API server receives.
    /// </param>
    public static IReadOnlyList<JsonNode?> ParseDocuments(string yaml, bool yaml11)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return stream.Documents.Select(d => Convert(d.RootNode, yaml11)).Where(n => n is not null).ToList();
    }

    public static JsonObject ParseSingleObject(string yaml) =>
        ParseDocuments(yaml) is [JsonObject single] ? single : throw new InvalidDataException("expected exactly one YAML document holding a mapping");

    private static JsonNode? Convert(YamlNode node, bool yaml11) => node switch
    {
        YamlMappingNode map => new JsonObject(map.Children.Select(kv => KeyValuePair.Create(Key((YamlScalarNode)kv.Key, yaml11), Convert(kv.Value, yaml11)))),
        YamlSequenceNode seq => new JsonArray(seq.Children.Select(c => Convert(c, yaml11)).ToArray()),
        YamlScalarNode scalar => Scalar(scalar, yaml11),
        _ => throw new InvalidDataException($"unsupported YAML node {node.NodeType} at {node.Start}"),
    };

    private static string Key(YamlScalarNode key, bool yaml11)
    {
        if (!yaml11) return key.Value ?? "";
        var value = Scalar(key, yaml11);
        return value is null ? "null" : value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : value.ToJsonString();
    }

    // YAML 1.2 core schema for plain scalars (1.1's booleans too when asked); quoted scalars are always strings.
    private static JsonValue? Scalar(YamlScalarNode scalar, bool yaml11 = false)
    {
        var text = scalar.Value ?? "";
        if (scalar.Style is not ScalarStyle.Plain) return JsonValue.Create(text);
        if (text is "" or "~" or "null" or "Null" or "NULL") return null;
        if (text is "true" or "True" or "TRUE") return JsonValue.Create(true);
        if (text is "false" or "False" or "FALSE") return JsonValue.Create(false);
        if (yaml11 && text is "y" or "Y" or "yes" or "Yes" or "YES" or "on" or "On" or "ON") return JsonValue.Create(true);
        if (yaml11 && text is "n" or "N" or "no" or "No" or "NO" or "off" or "Off" or "OFF") return JsonValue.Create(false);
        if (IntegerPattern().IsMatch(text) && long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer))
            return JsonValue.Create(integer);
        if (FloatPattern().IsMatch(text) && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
            return JsonValue.Create(number);
        return JsonValue.Create(text);
    }

    [GeneratedRegex(@"^[-+]?[0-9]+$")]
    private static partial Regex IntegerPattern();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")]
    private static partial Regex FloatPattern();
}
