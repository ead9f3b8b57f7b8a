namespace JitAdmission.Core.Cel;

/// <summary>
/// JSON to the value shapes the CEL library evaluates natively: <c>Dictionary&lt;string, object?&gt;</c> for objects
/// (field selection and indexing only work on that exact type), <c>object?[]</c> for arrays (indexing needs an
/// array), <c>long</c>/<c>double</c>, <c>string</c>, <c>bool</c> and <c>null</c>.
/// </summary>
public static class CelValueConverter
{
    public static object? FromJson(JsonElement? element) => element is { } e ? FromJson(e) : null;

    public static object? FromJson(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var map = new Dictionary<string, object?>(StringComparer.Ordinal);
                foreach (var property in element.EnumerateObject())
                {
                    // Duplicate keys are not valid Kubernetes JSON; the last one wins, as in the API server's decoder.
                    map[property.Name] = FromJson(property.Value);
                }

                return map;
            case JsonValueKind.Array:
                var list = new object?[element.GetArrayLength()];
                var i = 0;
                foreach (var item in element.EnumerateArray()) list[i++] = FromJson(item);
                return list;
            case JsonValueKind.String:
                return element.GetString();
            case JsonValueKind.Number:
                // Boxed separately: a conditional of long and double would be typed double and turn every integer into one.
                if (element.TryGetInt64(out var integer)) return integer;
                return element.GetDouble();
            case JsonValueKind.True:
                return true;
            case JsonValueKind.False:
                return false;
            default:
                return null;
        }
    }

    /// <summary>A list of strings as a CEL list.</summary>
    public static object?[] FromStrings(IReadOnlyList<string> values)
    {
        var list = new object?[values.Count];
        for (var i = 0; i < values.Count; i++) list[i] = values[i];
        return list;
    }
}
