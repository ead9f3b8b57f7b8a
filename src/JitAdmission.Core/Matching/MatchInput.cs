using JitAdmission.Core.Cel;

namespace JitAdmission.Core.Matching;

/// <summary>
/// One admission request prepared for evaluating any number of candidate policies: everything derived from it
/// (labels, CEL values, the live namespace) is computed at most once and only when some policy needs it.
/// </summary>
public sealed class MatchInput
{
    private readonly Lazy<IReadOnlyDictionary<string, string>?> _objectLabels;
    private readonly Lazy<IReadOnlyDictionary<string, string>?> _oldObjectLabels;
    private readonly Lazy<JsonElement?> _namespace;
    private readonly Lazy<CelRequestVariables> _cel;

    public MatchInput(AdmissionAttributes request, IClusterContext cluster, DateTimeOffset now)
    {
        Request = request;
        Cluster = cluster;
        Now = now;
        EffectiveNamespace = RequestScope.EffectiveNamespace(request);
        // CONNECT carries options (PodExecOptions), not the object: it has no labels to select on.
        _objectLabels = new(() => request.Operation == Operations.Connect ? null : LabelsOf(request.Object));
        _oldObjectLabels = new(() => LabelsOf(request.OldObject));
        _namespace = new(() => EffectiveNamespace.Length == 0 ? null : cluster.GetNamespace(EffectiveNamespace));
        _cel = new(() => new CelRequestVariables(request, cluster, now));
    }

    public AdmissionAttributes Request { get; }
    public IClusterContext Cluster { get; }
    public DateTimeOffset Now { get; }
    /// <summary>The namespace policies match against: the request's, or for a Namespace object its own name.</summary>
    public string EffectiveNamespace { get; }

    /// <summary>The CEL variables, shared by every policy evaluated against this request.</summary>
    public CelRequestVariables Cel => _cel.Value;

    /// <summary>Labels of the new object; null when there is no object with metadata. Parses the object.</summary>
    internal IReadOnlyDictionary<string, string>? ObjectLabels => _objectLabels.Value;
    internal IReadOnlyDictionary<string, string>? OldObjectLabels => _oldObjectLabels.Value;
    /// <summary>The live namespace from the cluster caches; null when cluster-scoped or unknown.</summary>
    internal JsonElement? LiveNamespace => _namespace.Value;

    internal static IReadOnlyDictionary<string, string>? LabelsOf(RawObject raw) => raw.Element is { } element ? LabelsOf(element) : null;

    internal static IReadOnlyDictionary<string, string>? LabelsOf(JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Object ||
            !element.TryGetProperty("metadata", out var metadata) || metadata.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (metadata.TryGetProperty("labels", out var map) && map.ValueKind == JsonValueKind.Object)
        {
            foreach (var label in map.EnumerateObject())
            {
                if (label.Value.ValueKind == JsonValueKind.String) labels[label.Name] = label.Value.GetString()!;
            }
        }

        return labels;
    }

    internal string? GenerateName()
    {
        if (Request.Object.Element is not { ValueKind: JsonValueKind.Object } element) return null;
        return element.TryGetProperty("metadata", out var metadata) && metadata.ValueKind == JsonValueKind.Object &&
               metadata.TryGetProperty("generateName", out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;
    }
}
