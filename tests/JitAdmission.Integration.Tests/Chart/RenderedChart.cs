using System.Text.Json.Nodes;

namespace JitAdmission.Integration.Tests.Chart;

/// <summary>The objects of one render (helm template or a release manifest), with accessors for what the tests read.</summary>
internal sealed class RenderedChart(IReadOnlyList<JsonObject> objects)
{
    public IReadOnlyList<JsonObject> Objects { get; } = objects;

    public static RenderedChart Parse(string yaml) => new(ChartTools.ParseObjects(yaml));

    public IEnumerable<JsonObject> OfKind(string kind) => Objects.Where(o => Text(o["kind"]) == kind);

    public bool Has(string kind) => OfKind(kind).Any();

    public JsonObject Single(string kind) =>
        OfKind(kind).ToList() is [var only] ? only : throw new InvalidOperationException($"expected exactly one {kind}, found {OfKind(kind).Count()}");

    public JsonObject Get(string kind, string name) =>
        OfKind(kind).SingleOrDefault(o => Name(o) == name) ?? throw new KeyNotFoundException($"no {kind} {name}");

    /// <summary>The one object of <paramref name="kind"/> that is the program's own (not the people's roles of templates/user-roles.yaml).</summary>
    public JsonObject Operator(string kind) =>
        OfKind(kind).Where(o => Text(o["metadata"]?["labels"]?["app.kubernetes.io/component"]) != "user-rbac").ToList() is [var only]
            ? only
            : throw new InvalidOperationException($"expected exactly one {kind} of the program");

    /// <summary>The objects of templates/user-roles.yaml: the people's ClusterRoles and their bindings.</summary>
    public IEnumerable<JsonObject> UserRbac => Objects.Where(o => Text(o["metadata"]?["labels"]?["app.kubernetes.io/component"]) == "user-rbac");

    public JsonObject Deployment => Single("Deployment");

    public JsonObject PodSpec => Deployment["spec"]!["template"]!["spec"]!.AsObject();

    public JsonObject Container => PodSpec["containers"]!.AsArray() is [JsonObject only] ? only : throw new InvalidOperationException("expected one container");

    public IReadOnlyList<string> Args => Container["args"]!.AsArray().Select(a => Text(a)!).ToList();

    /// <summary>The value after the last occurrence of a switch (the program's configuration takes the last), or null.</summary>
    public string? Arg(string name)
    {
        var args = Args;
        for (var i = args.Count - 2; i >= 0; i--)
            if (args[i] == name) return args[i + 1];
        return null;
    }

    public static string? Text(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    public static string Name(JsonObject o) => Text(o["metadata"]?["name"]) ?? throw new InvalidDataException("object without a name");

    public static string? Namespace(JsonObject o) => Text(o["metadata"]?["namespace"]);

    public static IEnumerable<JsonObject> Items(JsonNode? array) => array is JsonArray a ? a.OfType<JsonObject>() : [];

    public static IReadOnlyList<string> Strings(JsonNode? array) => array is JsonArray a ? a.Select(n => Text(n) ?? n?.ToJsonString() ?? "").ToList() : [];

    public static long Number(JsonNode? node) => node is JsonValue v && v.TryGetValue<long>(out var n) ? n : throw new InvalidDataException($"not an integer: {node?.ToJsonString()}");
}
