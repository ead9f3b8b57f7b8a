using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using FsCheck;
using FsCheck.Fluent;

namespace JitAdmission.Core.Tests.TestSupport;

/// <summary>A random JSON object (never using the volatile top-level keys), for fingerprint properties.</summary>
public sealed record JsonDoc(JsonObject Root)
{
    public override string ToString() => Root.ToJsonString();
}

public static class ApprovalJsonGen
{
    // No "metadata" or "status" at the top: those hold volatile fields, tested on their own.
    private static readonly string[] Keys = ["a", "b", "spec", "data", "name", "Z", "é", "x.y", "replicas", "a1"];

    private static readonly Gen<JsonNode?> Leaf = Gen.OneOf(
        Gen.Choose(-1000, 1000).Select(i => (JsonNode?)JsonValue.Create(i)),
        Gen.Elements("", "a", "ü", "x y", "\"q\"", "line\nbreak").Select(s => (JsonNode?)JsonValue.Create(s)),
        Gen.Elements(true, false).Select(b => (JsonNode?)JsonValue.Create(b)),
        Gen.Constant<JsonNode?>(null));

    private static Gen<JsonNode?> Node(int size) =>
        size <= 1 ? Leaf : Gen.Frequency((3, Leaf), (1, ObjectNode(size / 2).Select(o => (JsonNode?)o)), (1, ArrayNode(size / 2)));

    private static Gen<JsonObject> ObjectNode(int size) =>
        Gen.ListOf(Gen.Zip(Gen.Elements(Keys), Gen.Fresh(() => 0).SelectMany(_ => Node(size))))
            .Select(pairs =>
            {
                var obj = new JsonObject();
                foreach (var (key, value) in pairs) obj[key] = value;
                return obj;
            });

    private static Gen<JsonNode?> ArrayNode(int size) =>
        Gen.ListOf(Node(size)).Select(items => (JsonNode?)new JsonArray([.. items]));

    public static Arbitrary<JsonDoc> Docs() =>
        Gen.Sized(size => ObjectNode(Math.Max(2, Math.Min(size, 24)))).Select(o => new JsonDoc(o)).ToArbitrary();

    /// <summary>Serializes with object keys in an order drawn from <paramref name="random"/>.</summary>
    public static string Render(JsonNode? node, Random random)
    {
        var builder = new StringBuilder();
        Render(node, random, builder);
        return builder.ToString();
    }

    private static void Render(JsonNode? node, Random random, StringBuilder builder)
    {
        switch (node)
        {
            case JsonObject obj:
                builder.Append('{');
                var first = true;
                foreach (var (key, value) in obj.OrderBy(_ => random.Next()))
                {
                    if (!first) builder.Append(',');
                    first = false;
                    builder.Append(JsonSerializer.Serialize(key)).Append(':');
                    Render(value, random, builder);
                }

                builder.Append('}');
                break;
            case JsonArray array:
                builder.Append('[');
                for (var i = 0; i < array.Count; i++)
                {
                    if (i > 0) builder.Append(',');
                    Render(array[i], random, builder);
                }

                builder.Append(']');
                break;
            case null:
                builder.Append("null");
                break;
            default:
                builder.Append(node.ToJsonString());
                break;
        }
    }

    /// <summary>Every leaf (scalar or null) as a way to replace it in <paramref name="root"/>.</summary>
    public static List<Action<JsonNode?>> Leaves(JsonNode root)
    {
        var setters = new List<Action<JsonNode?>>();
        Collect(root, setters);
        return setters;
    }

    private static void Collect(JsonNode? node, List<Action<JsonNode?>> setters)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var key in obj.Select(p => p.Key).ToList())
                {
                    if (obj[key] is JsonObject or JsonArray) Collect(obj[key], setters);
                    else setters.Add(v => obj[key] = v);
                }

                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    var index = i;
                    if (array[i] is JsonObject or JsonArray) Collect(array[i], setters);
                    else setters.Add(v => array[index] = v);
                }

                break;
        }
    }

    /// <summary>A scalar certainly different from <paramref name="value"/>.</summary>
    public static JsonNode? Different(JsonNode? value) => value switch
    {
        null => JsonValue.Create(0),
        JsonValue v when v.GetValueKind() == JsonValueKind.Number => JsonValue.Create(v.GetValue<int>() + 1),
        JsonValue v when v.GetValueKind() == JsonValueKind.String => JsonValue.Create(v.GetValue<string>() + "!"),
        JsonValue v when v.GetValueKind() is JsonValueKind.True or JsonValueKind.False => JsonValue.Create(v.GetValueKind() != JsonValueKind.True),
        _ => null,
    };
}
