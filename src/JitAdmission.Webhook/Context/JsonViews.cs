using System.Runtime.CompilerServices;
using k8s;

namespace JitAdmission.Webhook.Context;

/// <summary>
/// The JSON form of cached objects, made once per cached object version: a cache hands out a new instance for every
/// resourceVersion and never changes one, so a table keyed by instance is a cache per resourceVersion that empties
/// itself when the cache drops the old version.
/// </summary>
internal static class JsonViews
{
    private static readonly ConditionalWeakTable<object, StrongBox<JsonElement>> Views = [];

    public static JsonElement Of(object cached) =>
        Views.GetValue(cached, static o =>
        {
            using var document = JsonDocument.Parse(KubernetesJson.Serialize(o));
            return new StrongBox<JsonElement>(document.RootElement.Clone());
        }).Value;
}
