using JitAdmission.Core.Fingerprinting;

namespace JitAdmission.Core.Changes;

/// <summary>
/// Path diff of two objects, and the flattened fields of one, without the fields the API server manages. Lists
/// whose items all carry a unique string <c>name</c> are matched by name (containers, env, ports, volumes), others by index.
/// Secret <c>data</c>/<c>stringData</c> show keys only.
/// </summary>
internal static class ObjectDiff
{
    public static IEnumerable<ChangeLine> Diff(JsonElement oldObject, JsonElement newObject, bool keepStatus, bool isSecret)
    {
        if (oldObject.ValueKind != JsonValueKind.Object || newObject.ValueKind != JsonValueKind.Object)
        {
            if (!JsonElement.DeepEquals(oldObject, newObject))
                yield return new ChangeLine(ChangeOp.Changed, ChangePath.Root("(object)"), oldObject, newObject, isSecret);
            yield break;
        }

        foreach (var line in DiffObject(null, oldObject, newObject, VolatileFields.Zone.Root, keepStatus, isSecret))
            yield return line;
    }

    public static IEnumerable<ChangeLine> Fields(JsonElement obj, bool keepStatus, bool isSecret)
    {
        if (obj.ValueKind != JsonValueKind.Object)
        {
            yield return new ChangeLine(ChangeOp.Added, ChangePath.Root("(object)"), null, obj, isSecret);
            yield break;
        }

        foreach (var (name, value) in CanonicalJson.SortedProperties(obj).Items())
        {
            if (VolatileFields.IsVolatile(VolatileFields.Zone.Root, name, keepStatus)) continue;
            var path = ChangePath.Root(name);
            var zone = VolatileFields.Child(VolatileFields.Zone.Root, name);
            var lines = isSecret && IsSecretPayload(name)
                ? HiddenKeys(path, default, value)
                : Leaves(path, value, ChangeOp.Added, zone, keepStatus);
            foreach (var line in lines) yield return line;
        }
    }

    private static bool IsSecretPayload(string rootKey) => rootKey is "data" or "stringData";

    private static IEnumerable<ChangeLine> DiffObject(
        ChangePath? parent, JsonElement oldObject, JsonElement newObject, VolatileFields.Zone zone, bool keepStatus, bool isSecret)
    {
        var oldProperties = CanonicalJson.SortedProperties(oldObject);
        var newProperties = CanonicalJson.SortedProperties(newObject);
        int i = 0, j = 0;
        // Merge of two sorted key lists: each key is visited once.
        while (i < oldProperties.Length || j < newProperties.Length)
        {
            var compare = i == oldProperties.Length ? 1
                : j == newProperties.Length ? -1
                : string.CompareOrdinal(oldProperties.NameAt(i), newProperties.NameAt(j));
            var name = compare <= 0 ? oldProperties.NameAt(i) : newProperties.NameAt(j);
            JsonElement? before = compare <= 0 ? oldProperties.ValueAt(i) : null;
            JsonElement? after = compare >= 0 ? newProperties.ValueAt(j) : null;
            if (compare <= 0) i++;
            if (compare >= 0) j++;
            if (VolatileFields.IsVolatile(zone, name, keepStatus)) continue;

            var path = parent is null ? ChangePath.Root(name) : parent.Key(name);
            var childZone = VolatileFields.Child(zone, name);
            IEnumerable<ChangeLine> lines;
            if (isSecret && zone == VolatileFields.Zone.Root && IsSecretPayload(name))
                lines = HiddenKeys(path, before, after);
            else if (before is null)
                lines = Leaves(path, after!.Value, ChangeOp.Added, childZone, keepStatus);
            else if (after is null)
                lines = Leaves(path, before.Value, ChangeOp.Removed, childZone, keepStatus);
            else
                lines = DiffValue(path, before.Value, after.Value, childZone, keepStatus);
            foreach (var line in lines) yield return line;
        }
    }

    private static IEnumerable<ChangeLine> DiffValue(
        ChangePath path, JsonElement before, JsonElement after, VolatileFields.Zone zone, bool keepStatus)
    {
        if (before.ValueKind == JsonValueKind.Object && after.ValueKind == JsonValueKind.Object)
            return DiffObject(path, before, after, zone, keepStatus, isSecret: false);
        if (before.ValueKind == JsonValueKind.Array && after.ValueKind == JsonValueKind.Array)
            return DiffArray(path, before, after);
        return JsonElement.DeepEquals(before, after) ? [] : [new ChangeLine(ChangeOp.Changed, path, before, after, false)];
    }

    private static IEnumerable<ChangeLine> DiffArray(ChangePath path, JsonElement before, JsonElement after)
    {
        if (ItemsByName(before) is { } oldByName && ItemsByName(after) is { } newByName)
        {
            foreach (var (name, item) in newByName)
            {
                var itemPath = path.Named(name);
                var lines = oldByName.TryGetValue(name, out var previous)
                    ? DiffValue(itemPath, previous, item, VolatileFields.Zone.Other, true)
                    : Leaves(itemPath, item, ChangeOp.Added, VolatileFields.Zone.Other, true);
                foreach (var line in lines) yield return line;
            }

            foreach (var (name, item) in oldByName)
            {
                if (newByName.ContainsKey(name)) continue;
                foreach (var line in Leaves(path.Named(name), item, ChangeOp.Removed, VolatileFields.Zone.Other, true))
                    yield return line;
            }
            yield break;
        }

        // Walk both lists together: indexing a JsonElement array of objects is linear per access.
        using var oldItems = before.EnumerateArray();
        using var newItems = after.EnumerateArray();
        for (var k = 0; ; k++)
        {
            var hasOld = oldItems.MoveNext();
            var hasNew = newItems.MoveNext();
            if (!hasOld && !hasNew) yield break;
            var itemPath = path.Index(k);
            var lines = !hasOld ? Leaves(itemPath, newItems.Current, ChangeOp.Added, VolatileFields.Zone.Other, true)
                : !hasNew ? Leaves(itemPath, oldItems.Current, ChangeOp.Removed, VolatileFields.Zone.Other, true)
                : DiffValue(itemPath, oldItems.Current, newItems.Current, VolatileFields.Zone.Other, true);
            foreach (var line in lines) yield return line;
        }
    }

    /// <summary>Items keyed by their <c>name</c>, in list order, when every item has a distinct string name.</summary>
    private static OrderedDictionary<string, JsonElement>? ItemsByName(JsonElement array)
    {
        var items = new OrderedDictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var item in array.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object
                || !item.TryGetProperty("name", out var name) || name.ValueKind != JsonValueKind.String
                || !items.TryAdd(name.GetString()!, item))
                return null;
        }

        return items;
    }

    /// <summary>An added or removed subtree: one line per leaf, so each field reads on its own.</summary>
    private static IEnumerable<ChangeLine> Leaves(
        ChangePath path, JsonElement value, ChangeOp op, VolatileFields.Zone zone, bool keepStatus)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object when value.EnumerateObject().Any():
                foreach (var (name, child) in CanonicalJson.SortedProperties(value).Items())
                {
                    if (VolatileFields.IsVolatile(zone, name, keepStatus)) continue;
                    foreach (var line in Leaves(path.Key(name), child, op, VolatileFields.Child(zone, name), keepStatus))
                        yield return line;
                }

                break;
            case JsonValueKind.Array when value.GetArrayLength() > 0:
                var named = ItemsByName(value);
                var index = 0;
                foreach (var item in value.EnumerateArray())
                {
                    var itemPath = named is null ? path.Index(index) : path.Named(item.GetProperty("name").GetString()!);
                    foreach (var line in Leaves(itemPath, item, op, VolatileFields.Zone.Other, keepStatus))
                        yield return line;
                    index++;
                }

                break;
            default:
                yield return op == ChangeOp.Added
                    ? new ChangeLine(op, path, null, value, false)
                    : new ChangeLine(op, path, value, null, false);
                break;
        }
    }

    /// <summary>Secret payload: which keys were added, removed or changed; never a value.</summary>
    private static IEnumerable<ChangeLine> HiddenKeys(ChangePath path, JsonElement? before, JsonElement? after)
    {
        var oldMap = before is { ValueKind: JsonValueKind.Object } o ? o : (JsonElement?)null;
        var newMap = after is { ValueKind: JsonValueKind.Object } n ? n : (JsonElement?)null;
        if ((before is not null && oldMap is null && before.Value.ValueKind != JsonValueKind.Null)
            || (after is not null && newMap is null && after.Value.ValueKind != JsonValueKind.Null))
        {
            yield return new ChangeLine(ChangeOp.Changed, path, null, null, true);
            yield break;
        }

        var oldKeys = oldMap is { } om ? CanonicalJson.SortedProperties(om).Items().ToList() : [];
        var newKeys = newMap is { } nm ? CanonicalJson.SortedProperties(nm).Items().ToList() : [];
        var oldByKey = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var (name, value) in oldKeys) oldByKey.TryAdd(name, value);
        var newNames = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, value) in newKeys)
        {
            newNames.Add(name);
            if (!oldByKey.TryGetValue(name, out var previous))
                yield return new ChangeLine(ChangeOp.Added, path.Key(name), null, null, true);
            else if (!JsonElement.DeepEquals(previous, value))
                yield return new ChangeLine(ChangeOp.Changed, path.Key(name), null, null, true);
        }

        foreach (var (name, _) in oldKeys)
            if (!newNames.Contains(name))
                yield return new ChangeLine(ChangeOp.Removed, path.Key(name), null, null, true);
    }
}
