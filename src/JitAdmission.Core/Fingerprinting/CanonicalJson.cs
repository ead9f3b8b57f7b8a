using System.Runtime.InteropServices;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace JitAdmission.Core.Fingerprinting;

/// <summary>
/// Canonical JSON: object keys sorted by ordinal, no whitespace, numbers exactly as written in the input, strings
/// re-encoded by one fixed encoder (so <c>"\u0041"</c> and <c>"A"</c> are the same value).
/// </summary>
internal static class CanonicalJson
{
    public static readonly JsonWriterOptions WriterOptions = new()
    {
        Indented = false,
        SkipValidation = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static void Write(Utf8JsonWriter writer, JsonElement element) =>
        Write(writer, element, VolatileFields.Zone.Other, keepStatus: true);

    /// <summary>Writes <paramref name="element"/> canonically, leaving out volatile fields where <paramref name="zone"/> has them.</summary>
    public static void Write(Utf8JsonWriter writer, JsonElement element, VolatileFields.Zone zone, bool keepStatus)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                writer.WriteStartObject();
                foreach (var property in SortedProperties(element))
                {
                    if (VolatileFields.IsVolatile(zone, property.Name, keepStatus)) continue;
                    writer.WritePropertyName(property.Name);
                    Write(writer, property.Value, VolatileFields.Child(zone, property.Name), keepStatus);
                }

                writer.WriteEndObject();
                break;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (var item in element.EnumerateArray())
                    Write(writer, item, VolatileFields.Zone.Other, keepStatus);
                writer.WriteEndArray();
                break;
            case JsonValueKind.String:
                writer.WriteStringValue(element.GetString());
                break;
            case JsonValueKind.Number:
                // As written: 1, 1.0 and 1e0 stay distinct, which is what the API server stored.
                writer.WriteRawValue(JsonMarshal.GetRawUtf8Value(element), skipInputValidation: true);
                break;
            case JsonValueKind.True:
                writer.WriteBooleanValue(true);
                break;
            case JsonValueKind.False:
                writer.WriteBooleanValue(false);
                break;
            default:
                writer.WriteNullValue();
                break;
        }
    }

    /// <summary>Properties in ordinal key order; duplicate keys (invalid but parseable) keep their input order.</summary>
    public static JsonProperty[] SortedProperties(JsonElement obj)
    {
        var properties = new List<JsonProperty>();
        foreach (var property in obj.EnumerateObject()) properties.Add(property);
        var indexed = new (JsonProperty Property, int Index)[properties.Count];
        for (var i = 0; i < indexed.Length; i++) indexed[i] = (properties[i], i);
        Array.Sort(indexed, static (a, b) =>
        {
            var byName = string.CompareOrdinal(a.Property.Name, b.Property.Name);
            return byName != 0 ? byName : a.Index.CompareTo(b.Index);
        });
        var sorted = new JsonProperty[indexed.Length];
        for (var i = 0; i < sorted.Length; i++) sorted[i] = indexed[i].Property;
        return sorted;
    }
}
