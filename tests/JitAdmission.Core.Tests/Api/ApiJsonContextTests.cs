using System.Collections;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using JitAdmission.Core.Api;
using k8s;
using k8s.Models;

namespace JitAdmission.Core.Tests.Api;

/// <summary>
/// The compiled JSON metadata (what a Native AOT build reads and writes with) must give the same JSON as reflection
/// (what the tests and a JIT build use) for every property of every API type, including ones added later.
/// </summary>
public sealed class ApiJsonContextTests
{
    public static TheoryData<Type> ApiKinds() => [typeof(ApprovalPolicy), typeof(ApprovalRequest), typeof(ApprovalPolicyList), typeof(ApprovalRequestList)];

    [Theory]
    [MemberData(nameof(ApiKinds))]
    public void Every_property_reads_and_writes_the_same_as_with_reflection(Type kind)
    {
        var compiled = Options(ApiJsonContext.Default);
        var reflection = Options(new DefaultJsonTypeInfoResolver());
        var full = Fill(kind, depth: 0);

        var viaReflection = JsonSerializer.Serialize(full, kind, reflection);
        var viaCompiled = JsonSerializer.Serialize(full, kind, compiled);
        Assert.Equal(viaReflection, viaCompiled);

        var readBack = JsonSerializer.Deserialize(viaReflection, kind, compiled);
        Assert.Equal(viaReflection, JsonSerializer.Serialize(readBack, kind, reflection));
        // Not vacuous: every API property was set, so each appears in the JSON.
        Assert.Contains("\"validUntil\"", JsonSerializer.Serialize(Fill(typeof(ApprovalRequest), 0), reflection), StringComparison.Ordinal);
    }

    // KubernetesClient's shared options, rebuilt here with a chosen resolver.
    private static JsonSerializerOptions Options(IJsonTypeInfoResolver resolver)
    {
        var options = new JsonSerializerOptions
        {
            TypeInfoResolver = resolver,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        };
        options.Converters.Add(new JsonStringEnumConverter());
        options.Converters.Add(new KubernetesJson.Iso8601TimeSpanConverter());
        options.Converters.Add(new KubernetesJson.KubernetesDateTimeConverter());
        options.Converters.Add(new KubernetesJson.KubernetesDateTimeOffsetConverter());
        return options;
    }

    // Sets every property of our API types to a non-default value; Kubernetes' own types get a name or reason.
    private static object? Fill(Type type, int depth)
    {
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        if (underlying == typeof(string)) return "s" + depth;
        if (underlying == typeof(int)) return 7 + depth;
        if (underlying == typeof(long)) return 9L + depth;
        if (underlying == typeof(bool)) return true;
        if (underlying == typeof(DateTime)) return new DateTime(2026, 11, 28, 3, 4, 5, DateTimeKind.Utc);
        if (underlying.IsEnum) return Enum.GetValues(underlying).GetValue(Enum.GetValues(underlying).Length - 1);
        if (underlying == typeof(V1ObjectMeta)) return new V1ObjectMeta { Name = "n", NamespaceProperty = "ns", Labels = new Dictionary<string, string> { ["k"] = "v" } };
        if (underlying == typeof(V1ListMeta)) return new V1ListMeta { ResourceVersion = "12" };
        if (underlying == typeof(V1Condition)) return new V1Condition { Type = "Ready", Status = "True", Reason = "R", Message = "m", LastTransitionTime = new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc) };
        if (underlying == typeof(System.Text.Json.JsonElement))
            return System.Text.Json.JsonDocument.Parse("{\"kind\":\"ConfigMap\",\"data\":{\"a\":\"1\"},\"n\":[1,2.5,null]}").RootElement.Clone();
        if (underlying == typeof(V1LabelSelector)) return new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["tier"] = "db" } };
        if (underlying.IsGenericType && typeof(IEnumerable).IsAssignableFrom(underlying))
        {
            var element = underlying.GetGenericArguments()[0];
            var list = (IList)Activator.CreateInstance(typeof(List<>).MakeGenericType(element))!;
            list.Add(Fill(element, depth + 1));
            return list;
        }

        Assert.True(underlying.Namespace == typeof(ApprovalRequest).Namespace, $"no sample value for {underlying}");
        var value = Activator.CreateInstance(underlying)!;
        foreach (var property in underlying.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite))
            property.SetValue(value, Fill(property.PropertyType, depth + 1));
        return value;
    }
}
