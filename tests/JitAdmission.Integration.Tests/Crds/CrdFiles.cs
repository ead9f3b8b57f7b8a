using JitAdmission.Core.Text;
using System.Text.Json.Nodes;
using JitAdmission.Integration.Tests.Infrastructure;

namespace JitAdmission.Integration.Tests.Crds;

/// <summary>The CRD manifests and examples in the repository, read as JSON.</summary>
internal static class CrdFiles
{
    public const string PolicyCrd = "approvalpolicies.jitadmission.io.yaml";
    public const string RequestCrd = "approvalrequests.jitadmission.io.yaml";

    public static string CrdDirectory => Path.Combine(KubeSandbox.RepoRoot(), "crds");

    public static string ExamplesDirectory => Path.Combine(KubeSandbox.RepoRoot(), "deploy", "examples");

    public static IReadOnlyList<string> ExampleFiles =>
        Directory.GetFiles(ExamplesDirectory, "*.yaml").Order(StringComparer.Ordinal).ToList();

    public static JsonObject Load(string crdFile) =>
        YamlToJson.ParseSingleObject(File.ReadAllText(Path.Combine(CrdDirectory, crdFile)));

    /// <summary>The one served and stored version (v1alpha1).</summary>
    public static JsonObject Version(JsonObject crd) =>
        crd["spec"]!["versions"]!.AsArray() is [JsonObject only] ? only : throw new InvalidDataException("expected exactly one version");

    public static JsonObject OpenApiSchema(JsonObject crd) => Version(crd)["schema"]!["openAPIV3Schema"]!.AsObject();

    /// <summary>The schema node at a dotted path: "spec.approval.wait"; "[]" steps into array items ("spec.reviews[]").</summary>
    public static JsonObject SchemaAt(JsonObject schema, string path)
    {
        var node = schema;
        foreach (var part in path.Split('.'))
        {
            var name = part.EndsWith("[]", StringComparison.Ordinal) ? part[..^2] : part;
            node = node["properties"]?[name]?.AsObject() ?? throw new KeyNotFoundException($"no schema property {path} ({name})");
            if (part.EndsWith("[]", StringComparison.Ordinal))
                node = node["items"]?.AsObject() ?? throw new KeyNotFoundException($"{path}: {name} has no items");
        }

        return node;
    }
}
