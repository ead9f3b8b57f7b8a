using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using JitAdmission.Core.Api;

namespace JitAdmission.Integration.Tests.Crds;

/// <summary>
/// Drift protection without a cluster: the C# API types and the CRD schemas must describe the same objects,
/// both ways, with the same defaults, so neither can change without the other.
/// </summary>
public sealed class CrdSchemaMatchesTypesTests
{
    public static TheoryData<string, Type> Crds => new()
    {
        { CrdFiles.PolicyCrd, typeof(ApprovalPolicy) },
        { CrdFiles.RequestCrd, typeof(ApprovalRequest) },
    };

    [Theory]
    [MemberData(nameof(Crds))]
    public void Every_property_exists_on_both_sides_with_a_compatible_type(string crdFile, Type type)
    {
        var comparison = Compare(crdFile, type);

        Assert.True(comparison.Mismatches.Count == 0, string.Join("\n", comparison.Mismatches));
        Assert.True(comparison.Pairs.Count > 20, $"suspiciously few fields compared: {comparison.Pairs.Count}");
    }

    [Theory]
    [MemberData(nameof(Crds))]
    public void Schema_defaults_equal_the_CSharp_initializers(string crdFile, Type type)
    {
        var errors = new List<string>();
        var defaults = 0;
        foreach (var pair in Compare(crdFile, type).Pairs.Where(p => p.Schema.ContainsKey("default")))
        {
            defaults++;
            if (pair.Property is null)
            {
                errors.Add($"{pair.Path}: default on a list item or map value has no C# initializer to compare with");
                continue;
            }

            var initial = InitializerJson(pair.Property);
            var schemaDefault = pair.Schema["default"];
            // An object default is completed by the server with its properties' defaults; fields it leaves out
            // deserialize to their (empty) C# initializers, so compare what is meaningful on both sides.
            if (schemaDefault is JsonObject)
            {
                schemaDefault = EffectiveObjectDefault(schemaDefault.DeepClone().AsObject(), pair.Schema);
                initial = WithoutEmptyValues(initial);
            }

            if (!JsonNode.DeepEquals(schemaDefault, initial))
                errors.Add($"{pair.Path}: schema default {schemaDefault?.ToJsonString() ?? "null"} != C# initializer {initial?.ToJsonString() ?? "null"}");
        }

        Assert.True(errors.Count == 0, string.Join("\n", errors));
        Assert.True(defaults > 0, "no defaults found");
    }

    private static JsonObject EffectiveObjectDefault(JsonObject value, JsonNode schema)
    {
        if (schema["properties"] is JsonObject properties)
        {
            foreach (var (name, property) in properties)
            {
                if (property is null) continue;
                if (!value.ContainsKey(name) && property["default"] is { } nested) value[name] = nested.DeepClone();
                if (value[name] is JsonObject child) EffectiveObjectDefault(child, property);
            }
        }

        return value;
    }

    private static JsonNode? WithoutEmptyValues(JsonNode? node)
    {
        if (node is not JsonObject obj) return node;
        var result = new JsonObject();
        foreach (var (name, value) in obj)
        {
            var kept = WithoutEmptyValues(value?.DeepClone());
            var empty = kept is null
                || (kept is JsonValue v && (v.ToJsonString() is "\"\"" or "0" or "false"))
                || (kept is JsonArray { Count: 0 })
                || (kept is JsonObject { Count: 0 });
            if (!empty) result[name] = kept;
        }

        return result;
    }

    /// <summary>A meaningful initializer (not null, "", [], 0 or false) must reach the API server as a default,
    /// or the field must be required; otherwise clients and server disagree about an omitted field.</summary>
    [Theory]
    [MemberData(nameof(Crds))]
    public void Meaningful_CSharp_initializers_are_schema_defaults_or_required(string crdFile, Type type)
    {
        var errors = new List<string>();
        foreach (var pair in Compare(crdFile, type).Pairs)
        {
            if (pair.Property is not { } property || property.DeclaringType?.Namespace != typeof(ApprovalPolicy).Namespace) continue;
            if (pair.Path is "apiVersion" or "kind") continue; // set by clients, checked against ApiConstants below
            var initial = InitializerJson(property);
            if (IsZeroValue(initial) || pair.Schema.ContainsKey("default") || pair.Required) continue;
            errors.Add($"{pair.Path}: C# initializer {initial!.ToJsonString()} is neither a schema default nor required");
        }

        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }

    [Theory]
    [MemberData(nameof(Crds))]
    public void Required_schema_properties_are_not_nullable_in_CSharp(string crdFile, Type type)
    {
        var nullability = new NullabilityInfoContext();
        var errors = new List<string>();
        foreach (var pair in Compare(crdFile, type).Pairs)
        {
            if (!pair.Required || pair.Property is not { } property) continue;
            var nullable = Nullable.GetUnderlyingType(property.PropertyType) is not null
                || nullability.Create(property).ReadState == NullabilityState.Nullable;
            if (nullable) errors.Add($"{pair.Path}: required in the schema but {property.DeclaringType!.Name}.{property.Name} is nullable");
        }

        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }

    [Theory]
    [MemberData(nameof(Crds))]
    public void Every_schema_property_has_a_description(string crdFile, Type type)
    {
        var missing = Compare(crdFile, type).Pairs
            .Where(p => p.Property is not null && p.Path != "metadata") // the API server forbids anything on metadata
            .Where(p => string.IsNullOrWhiteSpace((string?)p.Schema["description"]))
            .Select(p => p.Path)
            .ToList();

        Assert.True(missing.Count == 0, "no description: " + string.Join(", ", missing));
    }

    public static TheoryData<string, string, string, string, string, bool> Names => new()
    {
        { CrdFiles.PolicyCrd, ApiConstants.PolicyKind, ApiConstants.PolicyPlural, "approvalpolicy", "apol", false },
        { CrdFiles.RequestCrd, ApiConstants.RequestKind, ApiConstants.RequestPlural, "approvalrequest", "areq", true },
    };

    [Theory]
    [MemberData(nameof(Names))]
    public void Crd_names_agree_with_ApiConstants(string crdFile, string kind, string plural, string singular, string shortName, bool namespaced)
    {
        var crd = CrdFiles.Load(crdFile);
        var spec = crd["spec"]!;
        var names = spec["names"]!;

        Assert.Equal($"{plural}.{ApiConstants.Group}", (string?)crd["metadata"]!["name"]);
        Assert.Equal($"{plural}.{ApiConstants.Group}.yaml", crdFile);
        Assert.Equal(ApiConstants.Group, (string?)spec["group"]);
        Assert.Equal(namespaced ? "Namespaced" : "Cluster", (string?)spec["scope"]);
        Assert.Equal(kind, (string?)names["kind"]);
        Assert.Equal(kind + "List", (string?)names["listKind"]);
        Assert.Equal(plural, (string?)names["plural"]);
        Assert.Equal(singular, (string?)names["singular"]);
        Assert.Equal(new[] { shortName }, names["shortNames"]!.AsArray().Select(n => (string?)n));
        Assert.Equal(new[] { "jitadmission" }, names["categories"]!.AsArray().Select(n => (string?)n));

        var version = CrdFiles.Version(crd);
        Assert.Equal(ApiConstants.Version, (string?)version["name"]);
        Assert.True((bool?)version["served"] == true && (bool?)version["storage"] == true, "v1alpha1 must be served and stored");
        Assert.NotNull(version["subresources"]?["status"]);
    }

    public static TheoryData<string, string, string, int> Bounds => new()
    {
        { CrdFiles.RequestCrd, "spec.reason", "maxLength", ApiLimits.MaxReasonLength },
        { CrdFiles.RequestCrd, "spec.change", "maxLength", ApiLimits.MaxChangeLength },
        { CrdFiles.RequestCrd, "spec.policies", "maxItems", ApiLimits.MaxPoliciesPerRequest },
        { CrdFiles.RequestCrd, "spec.reviews", "maxItems", ApiLimits.MaxReviews },
        { CrdFiles.RequestCrd, "spec.reviews[].comment", "maxLength", ApiLimits.MaxCommentLength },
        { CrdFiles.RequestCrd, "status.decisions", "maxItems", ApiLimits.MaxReviews },
        { CrdFiles.RequestCrd, "status.decisions[].comment", "maxLength", ApiLimits.MaxCommentLength },
        { CrdFiles.RequestCrd, "status.usage", "maxItems", ApiLimits.MaxUsageRecords },
        { CrdFiles.RequestCrd, "status.message", "maxLength", ApiLimits.MaxStatusMessageLength },
    };

    [Theory]
    [MemberData(nameof(Bounds))]
    public void Bounds_that_writers_must_respect_equal_ApiLimits(string crdFile, string path, string keyword, int expected)
    {
        var node = CrdFiles.SchemaAt(CrdFiles.OpenApiSchema(CrdFiles.Load(crdFile)), path);

        Assert.Equal(expected, (long?)node[keyword]);
    }

    private static SchemaComparison Compare(string crdFile, Type type) =>
        SchemaComparison.Of(type, CrdFiles.OpenApiSchema(CrdFiles.Load(crdFile)));

    private static JsonNode? InitializerJson(PropertyInfo property)
    {
        var owner = Activator.CreateInstance(property.ReflectedType!)!;
        return JsonSerializer.SerializeToNode(property.GetValue(owner), property.PropertyType);
    }

    private static bool IsZeroValue(JsonNode? node) => node switch
    {
        null => true,
        JsonArray array => array.Count == 0,
        JsonObject => true, // nested objects: their own fields are checked one by one
        JsonValue value when value.TryGetValue<string>(out var s) => s.Length == 0,
        JsonValue value when value.TryGetValue<bool>(out var b) => !b,
        JsonValue value when value.TryGetValue<double>(out var d) => d == 0,
        _ => false,
    };
}
