using System.Text.Json.Nodes;

namespace JitAdmission.Controller.WebhookConfiguration;

/// <summary>
/// Whether an installed webhook configuration differs from the desired one in anything jit-admission owns: for each of
/// its webhooks the client configuration (URL or Service, caBundle), rules, selectors, match conditions, failure policy,
/// side effects, timeout, match policy and review versions. Server defaults count as equal to what they default
/// (no selector = empty selector, no scope = *), so a configuration the API server stored as sent is not drift.
/// Metadata and other webhooks are not ours and are ignored.
/// </summary>
public static class WebhookDrift
{
    public static bool Differs(V1ValidatingWebhookConfiguration desired, V1ValidatingWebhookConfiguration? current)
    {
        ArgumentNullException.ThrowIfNull(desired);
        return current is null || Differs(desired.Webhooks, current.Webhooks, w => w.Name, Shape);
    }

    public static bool Differs(V1MutatingWebhookConfiguration desired, V1MutatingWebhookConfiguration? current)
    {
        ArgumentNullException.ThrowIfNull(desired);
        return current is null || Differs(desired.Webhooks, current.Webhooks, w => w.Name, Shape);
    }

    /// <summary>The current configuration with our webhooks replaced by the desired ones (others kept, in place).</summary>
    public static V1ValidatingWebhookConfiguration Merge(V1ValidatingWebhookConfiguration current, V1ValidatingWebhookConfiguration desired)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(desired);
        current.Webhooks = Merge(current.Webhooks, desired.Webhooks, w => w.Name);
        current.Metadata.ManagedFields = null; // omitted on an update, the server keeps them
        return current;
    }

    public static V1MutatingWebhookConfiguration Merge(V1MutatingWebhookConfiguration current, V1MutatingWebhookConfiguration desired)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(desired);
        current.Webhooks = Merge(current.Webhooks, desired.Webhooks, w => w.Name);
        current.Metadata.ManagedFields = null;
        return current;
    }

    private static bool Differs<T>(IList<T> desired, IList<T>? current, Func<T, string> name, Func<T, string> shape)
        where T : class =>
        desired.Any(d => current?.FirstOrDefault(c => name(c) == name(d)) is not { } c || shape(d) != shape(c));

    private static List<T> Merge<T>(IList<T>? current, IList<T> desired, Func<T, string> name)
    {
        var result = new List<T>();
        foreach (var webhook in current ?? [])
            result.Add(desired.FirstOrDefault(d => name(d) == name(webhook)) is { } replacement ? replacement : webhook);
        foreach (var webhook in desired)
            if (!result.Any(w => name(w) == name(webhook))) result.Add(webhook);
        return result;
    }

    private static string Shape(V1ValidatingWebhook w) =>
        Shape(w.ClientConfig, w.Rules, w.NamespaceSelector, w.ObjectSelector, w.MatchConditions, w.FailurePolicy, w.SideEffects, w.TimeoutSeconds,
            w.MatchPolicy, w.AdmissionReviewVersions, reinvocation: null);

    private static string Shape(V1MutatingWebhook w) =>
        Shape(w.ClientConfig, w.Rules, w.NamespaceSelector, w.ObjectSelector, w.MatchConditions, w.FailurePolicy, w.SideEffects, w.TimeoutSeconds,
            w.MatchPolicy, w.AdmissionReviewVersions, w.ReinvocationPolicy ?? "Never");

    private static string Shape(
        Admissionregistrationv1WebhookClientConfig? client, IList<V1RuleWithOperations>? rules, V1LabelSelector? namespaceSelector,
        V1LabelSelector? objectSelector, IList<V1MatchCondition>? conditions, string? failurePolicy, string? sideEffects, int? timeout,
        string? matchPolicy, IList<string>? versions, string? reinvocation) =>
        // JSON nodes rather than anonymous types: a Native AOT build cannot serialize those by reflection.
        new JsonObject
        {
            ["url"] = client?.Url ?? "",
            ["service"] = client?.Service is { } s ? $"{s.NamespaceProperty}/{s.Name}:{s.Port ?? 443}{s.Path}" : "",
            ["caBundle"] = Convert.ToBase64String(client?.CaBundle ?? []),
            ["rules"] = Array((rules ?? []).Select(r => new JsonObject
            {
                ["groups"] = Strings(r.ApiGroups),
                ["versions"] = Strings(r.ApiVersions),
                ["resources"] = Strings(r.Resources),
                ["operations"] = Strings(r.Operations),
                ["scope"] = r.Scope ?? "*",
            })),
            ["namespaceSelector"] = Selector(namespaceSelector),
            ["objectSelector"] = Selector(objectSelector),
            ["conditions"] = Array((conditions ?? []).Select(c => new JsonObject { ["name"] = c.Name, ["expression"] = c.Expression })),
            ["failurePolicy"] = failurePolicy ?? "Fail",
            ["sideEffects"] = sideEffects,
            ["timeout"] = timeout ?? 10,
            ["matchPolicy"] = matchPolicy ?? "Equivalent",
            ["versions"] = Strings(versions),
            ["reinvocation"] = reinvocation,
        }.ToJsonString();

    private static JsonObject Selector(V1LabelSelector? selector) => new()
    {
        ["labels"] = Strings((selector?.MatchLabels ?? new Dictionary<string, string>()).OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}")),
        ["expressions"] = Array((selector?.MatchExpressions ?? []).Select(e => new JsonObject
        {
            ["key"] = e.Key,
            ["operator"] = e.OperatorProperty,
            ["values"] = Strings(e.Values),
        })),
    };

    private static JsonArray Strings(IEnumerable<string>? values) => [.. (values ?? []).Select(v => (JsonNode?)v)];

    private static JsonArray Array(IEnumerable<JsonNode> nodes) => [.. nodes];
}
