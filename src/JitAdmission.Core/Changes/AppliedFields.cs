using System.Text.Json.Nodes;

namespace JitAdmission.Core.Changes;

/// <summary>
/// Whether a write is the server-side apply of exactly a given manifest (docs/semantics.md "Helm releases"). The API
/// server records, per field manager, the fields each one set (<c>metadata.managedFields</c>); the requester's write is
/// the one entry that is new or changed compared with the old object. That entry must be an Apply whose fields are
/// exactly the manifest's, with the manifest's values. Fields nobody applied (the API server's defaults, mutating
/// webhooks) and fields other managers owned before the write are not the requester's and are not compared; a field
/// the requester adds beyond the manifest, by any manager name, is in their entry and fails the match.
/// </summary>
public static class AppliedFields
{
    /// <summary>Fields never in a managed-fields set: the object's identity, which the request itself names.</summary>
    private static readonly string[][] Identity = [["apiVersion"], ["kind"], ["metadata", "name"], ["metadata", "namespace"]];

    /// <returns>Null when the write applied exactly <paramref name="manifest"/>; otherwise why not.</returns>
    public static string? Mismatch(JsonElement written, JsonElement? old, JsonObject manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        var before = ManagedFields(old);
        var changed = ManagedFields(written).Where(e => !before.Any(b => JsonNode.DeepEquals(b, e))).ToList();
        if (changed.Count != 1) return changed.Count == 0 ? "the write changed no field manager's fields" : "the write changed several field managers' fields";
        var entry = changed[0];
        if (entry["operation"]?.GetValue<string>() != "Apply") return "it is not a server-side apply";
        if (entry["fieldsV1"] is not JsonObject fields) return "its managed fields are not recorded";

        var target = JsonNode.Parse(written.GetRawText())!;
        var coverage = new Coverage();
        if (Walk(fields, target, manifest, coverage, "") is { } wrong) return wrong;
        return Uncovered(manifest, coverage, []) is { } missing ? $"{missing} of the manifest was not applied as it is" : null;
    }

    private static List<JsonNode> ManagedFields(JsonElement? obj) =>
        obj is { ValueKind: JsonValueKind.Object } o && o.TryGetProperty("metadata", out var m) && m.ValueKind == JsonValueKind.Object
        && m.TryGetProperty("managedFields", out var list) && list.ValueKind == JsonValueKind.Array
            ? [.. list.EnumerateArray().Select(e => JsonNode.Parse(e.GetRawText())!)]
            : [];

    /// <summary>
    /// Every field the entry owns must be in the manifest with the written value. Manifest nodes an owned leaf matched
    /// as a whole go into <paramref name="whole"/>; maps and lists the walk went through into <paramref name="visited"/>.
    /// </summary>
    private static string? Walk(JsonObject owned, JsonNode? written, JsonNode? manifest, Coverage coverage, string path)
    {
        var children = owned.Where(kv => kv.Key != ".").ToList();
        if (manifest is null) return $"{Show(path)} was applied but is not in the manifest";
        if (children.Count == 0)
        {
            if (!JsonNode.DeepEquals(written, manifest)) return $"{Show(path)} differs from the manifest";
            coverage.Whole.Add(manifest);
            return null;
        }

        coverage.Visited.Add(manifest);
        foreach (var (key, value) in children)
        {
            if (value is not JsonObject next) return $"{Show(path)}: unreadable managed field {key}";
            var (w, m, name) = Child(key, written, manifest);
            if (Walk(next, w, m, coverage, path + "/" + name) is { } wrong) return wrong;
        }

        return null;
    }

    private sealed class Coverage
    {
        public HashSet<JsonNode> Whole { get; } = new(ReferenceEqualityComparer.Instance);
        public HashSet<JsonNode> Visited { get; } = new(ReferenceEqualityComparer.Instance);
    }

    /// <summary>The written and manifest nodes a managed-fields key names: <c>f:</c> a map key, <c>k:</c> the list item
    /// with those key fields, <c>v:</c> the list item with that value, <c>i:</c> the item at that index.</summary>
    private static (JsonNode? Written, JsonNode? Manifest, string Name) Child(string key, JsonNode? written, JsonNode manifest)
    {
        if (key.StartsWith("f:", StringComparison.Ordinal))
        {
            var name = key[2..];
            return ((written as JsonObject)?[name], (manifest as JsonObject)?[name], name);
        }

        if (key.StartsWith("k:", StringComparison.Ordinal) && JsonNode.Parse(key[2..]) is JsonObject keys)
            return (Item(written, i => keys.All(k => JsonNode.DeepEquals((i as JsonObject)?[k.Key], k.Value))),
                Item(manifest, i => keys.All(k => JsonNode.DeepEquals((i as JsonObject)?[k.Key], k.Value))), key);
        if (key.StartsWith("v:", StringComparison.Ordinal))
        {
            var value = JsonNode.Parse(key[2..]);
            return (Item(written, i => JsonNode.DeepEquals(i, value)), Item(manifest, i => JsonNode.DeepEquals(i, value)), key);
        }

        if (key.StartsWith("i:", StringComparison.Ordinal) && int.TryParse(key[2..], out var index))
            return (At(written, index), At(manifest, index), key);
        return (null, null, key);
    }

    private static JsonNode? Item(JsonNode? list, Func<JsonNode?, bool> match) => (list as JsonArray)?.FirstOrDefault(match);

    private static JsonNode? At(JsonNode? list, int index) => list is JsonArray a && index >= 0 && index < a.Count ? a[index] : null;

    /// <summary>The first manifest field (a value, or an empty map or list) no owned field covered; identity fields excepted.</summary>
    private static string? Uncovered(JsonNode? node, Coverage coverage, List<string> path)
    {
        if (node is null || coverage.Whole.Contains(node)) return null;
        IEnumerable<(string Key, JsonNode? Value)> children = node switch
        {
            JsonObject map => map.Select(kv => (kv.Key, kv.Value)),
            JsonArray list => list.Select((v, i) => (i.ToString(System.Globalization.CultureInfo.InvariantCulture), v)),
            _ => [],
        };
        var any = false;
        foreach (var (key, value) in children)
        {
            any = true;
            path.Add(key);
            var missing = Identity.Any(i => i.SequenceEqual(path)) ? null : Uncovered(value, coverage, path);
            path.RemoveAt(path.Count - 1);
            if (missing is not null) return missing;
        }

        // A value, or an empty map or list, must itself have been applied.
        return any || coverage.Visited.Contains(node) ? null : Show("/" + string.Join("/", path));
    }

    private static string Show(string path) => path.Length == 0 ? "the object" : path.TrimStart('/');
}
