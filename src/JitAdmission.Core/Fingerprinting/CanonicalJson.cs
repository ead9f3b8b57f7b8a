using System.Buffers;
using System.Runtime.InteropServices;
using System.Text.Encodings.Web;

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
                WriteObject(writer, element, zone, keepStatus);
                break;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (var item in element.EnumerateArray())
                    Write(writer, item, VolatileFields.Zone.Other, keepStatus);
                writer.WriteEndArray();
                break;
            case JsonValueKind.String:
                // Without escapes the raw bytes are the value itself: no string to decode. With escapes, decode so
                // that "\u0041" and "A" come out the same.
                var raw = JsonMarshal.GetRawUtf8Value(element);
                var content = raw[1..^1];
                if (content.IndexOf((byte)'\\') < 0) writer.WriteStringValue(content);
                else writer.WriteStringValue(element.GetString());
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

    // Pooled arrays: a large object has many small objects, and per-object arrays would dominate the cost.
    private static void WriteObject(Utf8JsonWriter writer, JsonElement element, VolatileFields.Zone zone, bool keepStatus)
    {
        var count = PropertyCount(element);
        var names = ArrayPool<string>.Shared.Rent(count);
        var values = ArrayPool<JsonElement>.Shared.Rent(count);
        var order = ArrayPool<int>.Shared.Rent(count);
        try
        {
            ReadSorted(element, names, values, order.AsSpan(0, count));
            writer.WriteStartObject();
            foreach (var k in order.AsSpan(0, count))
            {
                if (VolatileFields.IsVolatile(zone, names[k], keepStatus)) continue;
                writer.WritePropertyName(names[k]);
                Write(writer, values[k], VolatileFields.Child(zone, names[k]), keepStatus);
            }

            writer.WriteEndObject();
        }
        finally
        {
            Array.Clear(names, 0, count);
            ArrayPool<string>.Shared.Return(names);
            ArrayPool<JsonElement>.Shared.Return(values, clearArray: true);
            ArrayPool<int>.Shared.Return(order);
        }
    }

    private static int PropertyCount(JsonElement obj)
    {
        var count = 0;
        foreach (var _ in obj.EnumerateObject()) count++;
        return count;
    }

    /// <summary>
    /// Reads each property once into <paramref name="names"/> and <paramref name="values"/> (JsonProperty.Name decodes a new
    /// string on every call from a copied struct) and leaves in <paramref name="order"/> their indexes sorted by name.
    /// </summary>
    private static void ReadSorted(JsonElement obj, string[] names, JsonElement[] values, Span<int> order)
    {
        var i = 0;
        foreach (var property in obj.EnumerateObject())
        {
            names[i] = property.Name;
            values[i] = property.Value;
            order[i] = i;
            i++;
        }

        SortStable(order, names);
    }

    /// <summary>Sorts indexes by ordinal name, keeping input order among equal names (duplicate keys: the last one wins).</summary>
    private static void SortStable(Span<int> order, string[] names)
    {
        if (order.Length <= 32)
        {
            // Insertion sort: stable, no allocation, and API objects are small and often already sorted.
            for (var i = 1; i < order.Length; i++)
            {
                var item = order[i];
                var j = i - 1;
                while (j >= 0 && string.CompareOrdinal(names[order[j]], names[item]) > 0)
                {
                    order[j + 1] = order[j];
                    j--;
                }

                order[j + 1] = item;
            }

            return;
        }

        order.Sort((a, b) =>
        {
            var byName = string.CompareOrdinal(names[a], names[b]);
            return byName != 0 ? byName : a.CompareTo(b);
        });
    }

    /// <summary>Properties in ordinal key order; duplicate keys (invalid but parseable) keep their input order.</summary>
    public static SortedObject SortedProperties(JsonElement obj)
    {
        var count = PropertyCount(obj);
        var names = new string[count];
        var values = new JsonElement[count];
        var order = new int[count];
        ReadSorted(obj, names, values, order);
        return new SortedObject([.. order.Select(k => names[k])], [.. order.Select(k => values[k])]);
    }

    /// <summary>An object's properties in canonical order.</summary>
    public readonly struct SortedObject(string[] names, JsonElement[] values)
    {
        public int Length => names.Length;
        public string NameAt(int index) => names[index];
        public JsonElement ValueAt(int index) => values[index];

        public IEnumerable<(string Name, JsonElement Value)> Items()
        {
            for (var i = 0; i < names.Length; i++) yield return (names[i], values[i]);
        }
    }
}
