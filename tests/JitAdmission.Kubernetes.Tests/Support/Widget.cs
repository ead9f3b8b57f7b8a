using System.Text.Json.Serialization;
using JitAdmission.Kubernetes.Caching;
using k8s;
using k8s.Models;

namespace JitAdmission.Kubernetes.Tests.Support;

/// <summary>A tiny custom resource of our own, so these tests do not depend on the project's CRDs.</summary>
public sealed class Widget : IKubernetesObject<V1ObjectMeta>
{
    public const string Group = "test.jitadmission.io";
    public const string Version = "v1";
    public const string Plural = "widgets";

    public static ResourceDescriptor Descriptor { get; } = new(Group, Version, Plural, Namespaced: true);

    public const string CrdYaml = """
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata: {name: widgets.test.jitadmission.io}
        spec:
          group: test.jitadmission.io
          names: {kind: Widget, plural: widgets, singular: widget, listKind: WidgetList}
          scope: Namespaced
          versions:
          - name: v1
            served: true
            storage: true
            subresources: {status: {}}
            schema:
              openAPIV3Schema:
                type: object
                x-kubernetes-preserve-unknown-fields: true
        """;

    [JsonPropertyName("apiVersion")] public string ApiVersion { get; set; } = Group + "/" + Version;
    [JsonPropertyName("kind")] public string Kind { get; set; } = "Widget";
    [JsonPropertyName("metadata")] public V1ObjectMeta Metadata { get; set; } = new();
    [JsonPropertyName("spec")] public WidgetSpec Spec { get; set; } = new();

    public static Widget Make(string ns, string name, string color = "red", int size = 1) =>
        new() { Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns }, Spec = new WidgetSpec { Color = color, Size = size } };
}

public sealed class WidgetSpec
{
    [JsonPropertyName("color")] public string Color { get; set; } = "";
    [JsonPropertyName("size")] public int Size { get; set; }
}

/// <summary>Registered with KubernetesClient's serializer (Infrastructure/KubernetesJsonSetup), as the product's own types are.</summary>
[JsonSerializable(typeof(Widget))]
internal sealed partial class WidgetJsonContext : JsonSerializerContext;
