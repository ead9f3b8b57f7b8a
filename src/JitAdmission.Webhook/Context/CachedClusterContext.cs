using k8s.Models;

namespace JitAdmission.Webhook.Context;

/// <summary><see cref="IClusterContext"/> from memory: namespaces from the namespace cache, ConfigMaps from the
/// per-reference watches; each object's JSON is built once per version.</summary>
public sealed class CachedClusterContext(IResourceCacheReader<V1Namespace> namespaces, ContextConfigMaps configMaps) : IClusterContext
{
    public JsonElement? GetNamespace(string name) => namespaces.Get(null, name) is { } ns ? JsonViews.Of(ns) : null;

    public JsonElement? GetConfigMap(string @namespace, string name) => configMaps.Get(@namespace, name);
}
