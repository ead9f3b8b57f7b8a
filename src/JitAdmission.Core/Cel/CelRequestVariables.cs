namespace JitAdmission.Core.Cel;

/// <summary>
/// The CEL view of one admission request, built once per request and shared by every candidate policy. Each value
/// is converted on first use only, so a request whose candidates are rejected by cheap checks never parses its
/// object. Thread-safe: policies may be evaluated in parallel.
/// </summary>
public sealed class CelRequestVariables
{
    private readonly Lazy<object?> _object;
    private readonly Lazy<object?> _oldObject;
    private readonly Lazy<Dictionary<string, object?>> _request;
    private readonly Lazy<object?> _namespaceObject;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(string, string), object?> _configMaps = new();

    public CelRequestVariables(AdmissionAttributes request, IClusterContext cluster, DateTimeOffset now)
    {
        Attributes = request;
        Cluster = cluster;
        Now = now;
        _object = new Lazy<object?>(() => CelValueConverter.FromJson(request.Object.Element));
        _oldObject = new Lazy<object?>(() => CelValueConverter.FromJson(request.OldObject.Element));
        _request = new Lazy<Dictionary<string, object?>>(() => BuildRequest(request));
        _namespaceObject = new Lazy<object?>(() =>
        {
            var ns = RequestScope.EffectiveNamespace(request);
            return ns.Length == 0 ? null : CelValueConverter.FromJson(cluster.GetNamespace(ns));
        });
    }

    public AdmissionAttributes Attributes { get; }
    public IClusterContext Cluster { get; }
    public DateTimeOffset Now { get; }

    /// <summary>The new object (the options for CONNECT); null when absent (DELETE). Throws JsonException on malformed JSON.</summary>
    public object? Object => _object.Value;
    public object? OldObject => _oldObject.Value;
    public Dictionary<string, object?> Request => _request.Value;
    /// <summary>The live namespace of the object (of a Namespace object: itself); null when cluster-scoped or unknown.</summary>
    public object? NamespaceObject => _namespaceObject.Value;

    public object? ConfigMap(string @namespace, string name) =>
        _configMaps.GetOrAdd((@namespace, name), static (key, cluster) => CelValueConverter.FromJson(cluster.GetConfigMap(key.Item1, key.Item2)), Cluster);

    /// <summary>The variables one policy sees: the shared request values plus its own <c>context</c> references.</summary>
    public IDictionary<string, object?> ForPolicy(IReadOnlyList<ContextReference> context) => new CelActivation(this, context);

    private static Dictionary<string, object?> BuildRequest(AdmissionAttributes request)
    {
        var user = request.UserInfo;
        var extra = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (key, values) in user.Extra) extra[key] = CelValueConverter.FromStrings(values);

        return new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["uid"] = request.Uid,
            ["operation"] = request.Operation,
            ["userInfo"] = new Dictionary<string, object?>(StringComparer.Ordinal)
            {
                ["username"] = user.Username,
                ["uid"] = user.Uid ?? "",
                ["groups"] = CelValueConverter.FromStrings(user.Groups),
                ["extra"] = extra,
            },
            ["dryRun"] = request.DryRun,
            ["subResource"] = request.SubResource,
            ["resource"] = new Dictionary<string, object?>(StringComparer.Ordinal)
            {
                ["group"] = request.Resource.Group,
                ["version"] = request.Resource.Version,
                ["resource"] = request.Resource.Resource,
            },
            ["kind"] = new Dictionary<string, object?>(StringComparer.Ordinal)
            {
                ["group"] = request.Kind?.Group ?? "",
                ["version"] = request.Kind?.Version ?? "",
                ["kind"] = request.Kind?.Kind ?? "",
            },
            ["namespace"] = request.Namespace,
            ["name"] = request.Name,
            ["options"] = CelValueConverter.FromJson(request.Options.Element),
        };
    }
}
