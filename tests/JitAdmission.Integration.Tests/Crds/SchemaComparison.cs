using System.Reflection;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using k8s.Models;

namespace JitAdmission.Integration.Tests.Crds;

/// <summary>A C# property (or array item / map value) and the schema node it corresponds to.</summary>
internal sealed record SchemaPair(string Path, Type ClrType, PropertyInfo? Property, JsonObject Schema, bool Required);

/// <summary>
/// Walks a C# type and an OpenAPI v3 schema side by side, following [JsonPropertyName], and records every
/// property missing on either side and every incompatible type. The pairs it found are kept for further checks.
/// </summary>
internal sealed class SchemaComparison
{
    private SchemaComparison()
    {
    }

    public List<SchemaPair> Pairs { get; } = [];

    public List<string> Mismatches { get; } = [];

    public static SchemaComparison Of(Type root, JsonObject schema)
    {
        var comparison = new SchemaComparison();
        comparison.Visit("", root, null, schema, required: true);
        return comparison;
    }

    /// <summary>The JSON name of a C# property; k8s model types carry [JsonPropertyName] as our API types do.</summary>
    public static string? JsonName(PropertyInfo property) => property.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name;

    private void Visit(string path, Type type, PropertyInfo? property, JsonObject schema, bool required)
    {
        Pairs.Add(new SchemaPair(path, type, property, schema, required));
        var where = path.Length == 0 ? "<root>" : path;
        var clr = Nullable.GetUnderlyingType(type) ?? type;
        var schemaType = (string?)schema["type"];
        var format = (string?)schema["format"];

        void Expect(string expectedType, string? expectedFormat = null)
        {
            if (schemaType != expectedType)
                Mismatches.Add($"{where}: C# {clr.Name} needs schema type {expectedType}, schema has {schemaType ?? "none"}");
            if (expectedFormat is not null && format != expectedFormat)
                Mismatches.Add($"{where}: C# {clr.Name} needs format {expectedFormat}, schema has {format ?? "none"}");
        }

        if (clr == typeof(string))
        {
            Expect("string");
        }
        else if (clr.IsEnum)
        {
            Expect("string");
            var schemaValues = schema["enum"]?.AsArray().Select(v => (string?)v).ToArray() ?? [];
            var clrValues = Enum.GetNames(clr);
            if (!schemaValues.SequenceEqual(clrValues))
                Mismatches.Add($"{where}: enum {clr.Name} is [{string.Join(", ", clrValues)}], schema enum is [{string.Join(", ", schemaValues)}]");
        }
        else if (clr == typeof(bool))
        {
            Expect("boolean");
        }
        else if (clr == typeof(int))
        {
            Expect("integer", "int32");
        }
        else if (clr == typeof(long))
        {
            Expect("integer", "int64");
        }
        else if (clr == typeof(DateTime) || clr == typeof(DateTimeOffset))
        {
            Expect("string", "date-time");
        }
        else if (DictionaryValueType(clr) is { } valueType)
        {
            Expect("object");
            if (schema["properties"] is not null)
                Mismatches.Add($"{where}: C# map {clr.Name} must not have fixed schema properties");
            if (schema["additionalProperties"] is JsonObject values)
                Visit(path + "{}", valueType, null, values, required: false);
            else
                Mismatches.Add($"{where}: C# map {clr.Name} needs additionalProperties in the schema");
        }
        else if (ElementType(clr) is { } elementType)
        {
            Expect("array");
            if (schema["items"] is JsonObject items)
                Visit(path + "[]", elementType, null, items, required: true);
            else
                Mismatches.Add($"{where}: C# list {clr.Name} needs items in the schema");
        }
        else if (clr == typeof(System.Text.Json.JsonElement))
        {
            // Any JSON object kept as it is: the schema must say so.
            Expect("object");
            if (schema["x-kubernetes-preserve-unknown-fields"]?.GetValue<bool>() != true)
                Mismatches.Add($"{where}: a JsonElement needs x-kubernetes-preserve-unknown-fields: true");
        }
        else if (clr == typeof(V1ObjectMeta))
        {
            // The API server owns the metadata schema; a CRD may only say "type: object" here.
            Expect("object");
            if (schema["properties"] is not null)
                Mismatches.Add($"{where}: metadata must not declare properties");
        }
        else if (clr.IsClass)
        {
            Expect("object");
            VisitProperties(path, clr, schema);
        }
        else
        {
            Mismatches.Add($"{where}: no schema mapping for C# type {clr.FullName}");
        }
    }

    private void VisitProperties(string path, Type clr, JsonObject schema)
    {
        var schemaProperties = schema["properties"] as JsonObject ?? [];
        var required = schema["required"]?.AsArray().Select(r => (string?)r).ToHashSet() ?? [];
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in clr.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetIndexParameters().Length > 0 || property.GetCustomAttribute<JsonIgnoreAttribute>() is not null) continue;
            var name = JsonName(property);
            var childPath = path.Length == 0 ? name : $"{path}.{name}";
            if (name is null)
            {
                Mismatches.Add($"{path}: C# {clr.Name}.{property.Name} has no [JsonPropertyName]");
                continue;
            }

            seen.Add(name);
            if (schemaProperties[name] is JsonObject child)
                Visit(childPath!, property.PropertyType, property, child, required.Contains(name));
            else
                Mismatches.Add($"{childPath}: C# {clr.Name}.{property.Name} is missing from the schema");
        }

        foreach (var (name, _) in schemaProperties)
            if (!seen.Contains(name))
                Mismatches.Add($"{(path.Length == 0 ? name : $"{path}.{name}")}: schema property has no C# counterpart in {clr.Name}");

        foreach (var name in required)
            if (name is not null && !schemaProperties.ContainsKey(name))
                Mismatches.Add($"{path}: required property {name} is not declared");
    }

    private static Type? DictionaryValueType(Type type) =>
        Implementations(type, typeof(IDictionary<,>)).FirstOrDefault(i => i.GetGenericArguments()[0] == typeof(string))?.GetGenericArguments()[1];

    private static Type? ElementType(Type type) =>
        type == typeof(string) ? null : type.IsArray ? type.GetElementType() : Implementations(type, typeof(IEnumerable<>)).FirstOrDefault()?.GetGenericArguments()[0];

    private static IEnumerable<Type> Implementations(Type type, Type genericInterface) =>
        (type.IsInterface ? type.GetInterfaces().Append(type) : type.GetInterfaces())
            .Where(i => i.IsGenericType && i.GetGenericTypeDefinition() == genericInterface);
}
