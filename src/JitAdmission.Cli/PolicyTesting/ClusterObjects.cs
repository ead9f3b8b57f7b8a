using System.Collections.Immutable;
using System.Text.Json.Nodes;
using JitAdmission.Core.Matching;

namespace JitAdmission.Cli.PolicyTesting;

/// <summary>
/// The live objects a policy can read, as the webhook's caches hold them: Namespaces (for <c>namespaceSelector</c> and
/// <c>namespaceObject</c>) and ConfigMaps (for <c>context.NAME</c>). Immutable; a case's objects replace the suite's
/// with the same kind, namespace and name.
/// </summary>
internal sealed class ClusterObjects
{
    public static readonly ClusterObjects Empty = new(ImmutableSortedDictionary<string, Entry>.Empty.WithComparers(StringComparer.Ordinal));

    private readonly ImmutableSortedDictionary<string, Entry> _objects;

    private ClusterObjects(ImmutableSortedDictionary<string, Entry> objects) => _objects = objects;

    private sealed record Entry(string Kind, string Namespace, string Name, string Json);

    /// <summary>Whether an object of this kind is one the engine reads from the cluster.</summary>
    public static bool IsClusterKind(string? apiVersion, string? kind) => apiVersion == "v1" && kind is "Namespace" or "ConfigMap";

    /// <summary>Adds (or replaces) a Namespace or ConfigMap; anything else is an error naming <paramref name="source"/>.</summary>
    public ClusterObjects With(JsonObject obj, string source)
    {
        ArgumentNullException.ThrowIfNull(obj);
        var apiVersion = Text(obj["apiVersion"]);
        var kind = Text(obj["kind"]);
        var metadata = obj["metadata"] as JsonObject;
        var name = Text(metadata?["name"]);
        var ns = Text(metadata?["namespace"]);
        if (!IsClusterKind(apiVersion, kind))
            throw TestInput.Error($"{source}: {kind ?? "an object without kind"} {name}: cluster objects are Namespaces and ConfigMaps (v1), the objects policies read");
        if (string.IsNullOrEmpty(name)) throw TestInput.Error($"{source}: a {kind} needs metadata.name");
        if (kind == "ConfigMap" && string.IsNullOrEmpty(ns)) throw TestInput.Error($"{source}: ConfigMap {name} needs metadata.namespace");
        var entry = new Entry(kind!, kind == "Namespace" ? "" : ns!, name, AsCached(obj, kind!, name, source));
        return new ClusterObjects(_objects.SetItem($"{entry.Kind}/{entry.Namespace}/{entry.Name}", entry));
    }

    public ClusterObjects With(ClusterObjects other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return new ClusterObjects(_objects.SetItems(other._objects));
    }

    public InMemoryClusterContext ToContext()
    {
        var context = InMemoryClusterContext.Empty;
        foreach (var entry in _objects.Values)
        {
            context = entry.Kind == "Namespace"
                ? context.WithNamespace(entry.Name, entry.Json)
                : context.WithConfigMap(entry.Namespace, entry.Name, entry.Json);
        }

        return context;
    }

    /// <summary>"Namespace prod, ConfigMap ops/incident-state": what a case ran against, for the report.</summary>
    public IReadOnlyList<string> Describe() =>
        [.. _objects.Values.Select(e => e.Namespace.Length == 0 ? $"{e.Kind} {e.Name}" : $"{e.Kind} {e.Namespace}/{e.Name}")];

    /// <summary>
    /// The object as the webhook's caches serve it: read into the Kubernetes type and written back (unknown fields gone).
    /// A value the API server would refuse is an error here too, e.g. <c>active: yes</c> in a ConfigMap, which kubectl
    /// sends as a boolean where only strings are allowed.
    /// </summary>
    private static string AsCached(JsonObject obj, string kind, string name, string source)
    {
        try
        {
            var json = obj.ToJsonString();
            return kind == "Namespace"
                ? KubernetesJson.Serialize(KubernetesJson.Deserialize<V1Namespace>(json))
                : KubernetesJson.Serialize(KubernetesJson.Deserialize<V1ConfigMap>(json));
        }
        catch (JsonException e)
        {
            throw TestInput.Error($"{source}: {kind} {name} cannot be read: {e.Message}" + (kind == "ConfigMap" ? " (ConfigMap data values are strings: quote them)" : ""));
        }
    }

    private static string? Text(JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;
}
