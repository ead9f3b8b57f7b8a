using System.Text.Json.Nodes;

namespace JitAdmission.Core.Matching;

/// <summary>An immutable set of objects, for tests and for evaluating policies outside a cluster. Each
/// <c>With…</c> returns a new context, so a shared instance can never be changed under another reader.</summary>
public sealed class InMemoryClusterContext : IClusterContext
{
    public static readonly InMemoryClusterContext Empty = new([], []);

    private readonly Dictionary<string, JsonElement> _namespaces;
    private readonly Dictionary<(string Namespace, string Name), JsonElement> _configMaps;

    private InMemoryClusterContext(Dictionary<string, JsonElement> namespaces, Dictionary<(string, string), JsonElement> configMaps)
    {
        _namespaces = namespaces;
        _configMaps = configMaps;
    }

    public InMemoryClusterContext WithNamespace(string name, IReadOnlyDictionary<string, string>? labels = null)
    {
        var json = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Namespace",
            ["metadata"] = new JsonObject { ["name"] = name, ["labels"] = Map(labels) },
        };
        return WithNamespace(name, json.ToJsonString());
    }

    public InMemoryClusterContext WithNamespace(string name, string json)
    {
        var namespaces = new Dictionary<string, JsonElement>(_namespaces, StringComparer.Ordinal) { [name] = Parse(json) };
        return new InMemoryClusterContext(namespaces, _configMaps);
    }

    public InMemoryClusterContext WithConfigMap(string @namespace, string name, IReadOnlyDictionary<string, string> data)
    {
        var json = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "ConfigMap",
            ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = @namespace },
            ["data"] = Map(data),
        };
        return WithConfigMap(@namespace, name, json.ToJsonString());
    }

    public InMemoryClusterContext WithConfigMap(string @namespace, string name, string json)
    {
        var configMaps = new Dictionary<(string, string), JsonElement>(_configMaps) { [(@namespace, name)] = Parse(json) };
        return new InMemoryClusterContext(_namespaces, configMaps);
    }

    public JsonElement? GetNamespace(string name) => _namespaces.TryGetValue(name, out var ns) ? ns : null;

    public JsonElement? GetConfigMap(string @namespace, string name) =>
        _configMaps.TryGetValue((@namespace, name), out var cm) ? cm : null;

    // JSON nodes rather than anonymous types: a Native AOT build cannot serialize those by reflection.
    private static JsonObject Map(IReadOnlyDictionary<string, string>? entries) =>
        new((entries ?? new Dictionary<string, string>()).Select(e => KeyValuePair.Create(e.Key, (JsonNode?)e.Value)));

    private static JsonElement Parse(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return doc.RootElement.Clone();
    }
}
