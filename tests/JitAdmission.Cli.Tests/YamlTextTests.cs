using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using JitAdmission.Cli.Output;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace JitAdmission.Cli.Tests;

/// <summary>-o yaml must read back as exactly the JSON the API server sent: strings that look like other types stay strings.</summary>
public class YamlTextTests
{
    private const string Object = """
        {
          "apiVersion": "jitadmission.io/v1alpha1",
          "metadata": {"name": "web", "creationTimestamp": "2025-03-01T12:00:00Z", "generation": 3, "labels": {}},
          "spec": {
            "looksLikeBool": "true", "looksLikeNo": "no", "looksLikeNumber": "123", "looksLikeFloat": "1.5e3",
            "looksLikeNull": "null", "tilde": "~", "empty": "", "colon": "a: b", "hash": "# not a comment",
            "dash": "- item", "quote": "say \"hi\"", "date": "2025-03-01", "octal": "0o17", "hex": "0x1F",
            "change": "spec.replicas: 3 -> 30\nspec.image: web:1.2 -> web:1.3\n",
            "reviews": [], "policies": ["prod", "on"], "number": 12, "ratio": 0.5, "flag": false, "nothing": null,
            "nested": [{"reviewer": "bob", "decision": "Approve"}]
          }
        }
        """;

    [Fact]
    public void Yaml_reads_back_as_the_same_json()
    {
        var json = JsonDocument.Parse(Object).RootElement;

        var yaml = YamlText.FromJson(json);

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(Object), ReadYamlAsJson(yaml)), yaml);
    }

    [Fact]
    public void Multi_line_strings_are_literal_blocks_and_empty_collections_are_flow()
    {
        var yaml = YamlText.FromJson(JsonDocument.Parse(Object).RootElement);

        Assert.Contains("change: |", yaml, StringComparison.Ordinal);
        Assert.Contains("reviews: []", yaml, StringComparison.Ordinal);
        Assert.Contains("labels: {}", yaml, StringComparison.Ordinal);
        Assert.Contains("looksLikeBool: \"true\"", yaml, StringComparison.Ordinal);
        Assert.Contains("number: 12", yaml, StringComparison.Ordinal);
    }

    // Resolves plain scalars with the YAML core schema (as kubectl's reader does); quoted scalars are strings.
    private static JsonNode? ReadYamlAsJson(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return Convert(stream.Documents[0].RootNode);
    }

    private static JsonNode? Convert(YamlNode node) => node switch
    {
        YamlMappingNode map => new JsonObject(map.Children.Select(kv =>
            KeyValuePair.Create(((YamlScalarNode)kv.Key).Value!, Convert(kv.Value)))),
        YamlSequenceNode seq => new JsonArray([.. seq.Children.Select(Convert)]),
        YamlScalarNode { Style: ScalarStyle.Plain } s => Plain(s.Value ?? ""),
        YamlScalarNode s => JsonValue.Create(s.Value),
        _ => throw new InvalidDataException(node.GetType().Name),
    };

    private static JsonValue? Plain(string text)
    {
        if (text is "null" or "~" or "") return null;
        if (text is "true" or "false") return JsonValue.Create(text == "true");
        if (long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var l)) return JsonValue.Create(l);
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d)) return JsonValue.Create(d);
        return JsonValue.Create(text);
    }
}
