using System.Globalization;
using System.Text.Json.Nodes;

namespace JitAdmission.Integration.Tests.Crds;

/// <summary>Edits a JSON document at a JSON pointer, so test tables can describe one change to a valid object.</summary>
internal static class JsonPointer
{
    /// <summary>Sets the value at <paramref name="pointer"/>; a null value removes the property. "-" appends to an array.</summary>
    public static void Set(JsonNode root, string pointer, JsonNode? value)
    {
        var parts = pointer.TrimStart('/').Split('/');
        var parent = root;
        foreach (var part in parts[..^1])
            parent = (parent is JsonArray array ? array[int.Parse(part, CultureInfo.InvariantCulture)] : parent[part])
                ?? throw new KeyNotFoundException($"{pointer}: nothing at {part}");

        var last = parts[^1];
        switch (parent)
        {
            case JsonArray array when last == "-":
                array.Add(value);
                break;
            case JsonArray array when value is null:
                array.RemoveAt(int.Parse(last, CultureInfo.InvariantCulture));
                break;
            case JsonArray array:
                array[int.Parse(last, CultureInfo.InvariantCulture)] = value;
                break;
            case JsonObject obj when value is null:
                if (!obj.Remove(last)) throw new KeyNotFoundException($"{pointer}: no property {last} to remove");
                break;
            case JsonObject obj:
                obj[last] = value;
                break;
            default:
                throw new InvalidOperationException($"{pointer}: cannot set inside a {parent.GetValueKind()}");
        }
    }

    public static JsonNode? Get(JsonNode? root, string pointer)
    {
        var node = root;
        foreach (var part in pointer.TrimStart('/').Split('/'))
            node = node is JsonArray array ? array[int.Parse(part, CultureInfo.InvariantCulture)] : node?[part];
        return node;
    }
}
