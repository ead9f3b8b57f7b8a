using System.Globalization;
using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace JitAdmission.Cli.PolicyTesting;

/// <summary>
/// YAML read as the JSON kubectl sends (sigs.k8s.io/yaml, which resolves scalars by go-yaml's YAML 1.1 rules): a plain
/// scalar is null, a boolean or a number when it reads as one (<c>~</c>, <c>true</c>, <c>yes</c>, <c>on</c>, <c>1.5</c>,
/// <c>0x1F</c>), a quoted one is always a string. Policies and objects under test must reach the engine exactly as the
/// API server would receive them, or a test could pass on values the cluster never sees.
/// </summary>
internal static class YamlJson
{
    /// <summary>Every non-empty document of <paramref name="text"/>; <paramref name="source"/> names it in errors.</summary>
    public static List<JsonNode> Documents(string text, string source)
    {
        ArgumentNullException.ThrowIfNull(text);
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            throw TestInput.Error($"{source}: line {e.Start.Line}, column {e.Start.Column}: not valid YAML: {e.Message}");
        }

        var documents = new List<JsonNode>();
        foreach (var document in stream.Documents)
        {
            // An empty document ("---" alone, comments only) holds nothing, as for kubectl.
            if (document.RootNode is YamlScalarNode { Style: ScalarStyle.Plain, Value: null or "" or "~" or "null" }) continue;
            if (Convert(document.RootNode, source) is { } node) documents.Add(node);
        }

        return documents;
    }

    public static JsonNode? Convert(YamlNode node, string source)
    {
        ArgumentNullException.ThrowIfNull(node);
        switch (node)
        {
            case YamlMappingNode map:
                var json = new JsonObject();
                foreach (var (key, value) in map.Children)
                {
                    if (key is not YamlScalarNode { Value: { } name })
                        throw TestInput.Error($"{source}: line {key.Start.Line}: a mapping key must be a plain value");
                    json[name] = Convert(value, source);
                }

                return json;
            case YamlSequenceNode sequence:
                return new JsonArray([.. sequence.Children.Select(item => Convert(item, source))]);
            case YamlScalarNode scalar:
                return Scalar(scalar, source);
            default:
                throw TestInput.Error($"{source}: line {node.Start.Line}: unsupported YAML node");
        }
    }

    private static JsonValue? Scalar(YamlScalarNode scalar, string source)
    {
        var text = scalar.Value ?? "";
        var tag = scalar.Tag.IsEmpty ? "" : scalar.Tag.Value;
        if (tag is "tag:yaml.org,2002:str" || (tag.Length == 0 && scalar.Style != ScalarStyle.Plain)) return JsonValue.Create(text);
        if (tag.Length > 0 && tag is not ("tag:yaml.org,2002:null" or "tag:yaml.org,2002:bool" or "tag:yaml.org,2002:int" or "tag:yaml.org,2002:float"))
            throw TestInput.Error($"{source}: line {scalar.Start.Line}: the YAML tag {tag} is not supported");

        if (text is "" or "~" or "null" or "Null" or "NULL") return null;
        if (text is "true" or "True" or "TRUE" or "yes" or "Yes" or "YES" or "y" or "Y" or "on" or "On" or "ON") return JsonValue.Create(true);
        if (text is "false" or "False" or "FALSE" or "no" or "No" or "NO" or "n" or "N" or "off" or "Off" or "OFF") return JsonValue.Create(false);
        if (Integer(text) is { } integer) return JsonValue.Create(integer);
        if (Float(text) is { } number) return JsonValue.Create(number);
        if (tag.Length > 0) throw TestInput.Error($"{source}: line {scalar.Start.Line}: \"{text}\" is not a valid {tag}");
        return JsonValue.Create(text);
    }

    /// <summary>Decimal, 0x hexadecimal, 0o or leading-zero octal and 0b binary integers, with optional sign and underscores.</summary>
    private static long? Integer(string text)
    {
        var s = text.Replace("_", "", StringComparison.Ordinal);
        var negative = s.StartsWith('-');
        if (s.StartsWith('-') || s.StartsWith('+')) s = s[1..];
        if (s.Length == 0 || !char.IsAsciiDigit(s[0])) return null;
        long value;
        if (s.StartsWith("0x", StringComparison.Ordinal))
        {
            if (!long.TryParse(s[2..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value)) return null;
        }
        else if (s.StartsWith("0b", StringComparison.Ordinal))
        {
            if (!long.TryParse(s[2..], NumberStyles.AllowBinarySpecifier, CultureInfo.InvariantCulture, out value)) return null;
        }
        else if (s.Length > 1 && s[0] == '0' && s.Skip(s.StartsWith("0o", StringComparison.Ordinal) ? 2 : 1).All(c => c is >= '0' and <= '7'))
        {
            try
            {
                value = System.Convert.ToInt64(s.StartsWith("0o", StringComparison.Ordinal) ? s[2..] : s[1..], 8);
            }
            catch (OverflowException)
            {
                return null;
            }
        }
        else if (!s.All(char.IsAsciiDigit) || !long.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out value))
        {
            return null;
        }

        return negative ? -value : value;
    }

    private static double? Float(string text)
    {
        var s = text.Replace("_", "", StringComparison.Ordinal);
        // Only what YAML calls a float: digits with an optional point and exponent (not "1e", "Infinity" or ".").
        if (s.Length == 0 || !s.Any(char.IsAsciiDigit) || s.Any(c => !(char.IsAsciiDigit(c) || c is '.' or 'e' or 'E' or '-' or '+'))) return null;
        return double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value) ? value : null;
    }
}
