using System.Text.Json.Serialization;
using JitAdmission.Core.Api;
using k8s;
using k8s.Models;

namespace JitAdmission.Kubernetes.Client;

/// <summary>
/// Puts compile-time JSON metadata first in KubernetesClient's shared serializer options, which every API call, watch
/// and <see cref="KubernetesJson"/> use: our API types, and the watch events KubernetesClient reads each watched line
/// into. Reflection reads both on the JIT; a Native AOT build cannot.
/// </summary>
public static class KubernetesJsonMetadata
{
    private static readonly Lock Gate = new();
    private static bool _registered;

    /// <summary>Call before anything serializes: the options freeze on first use. Later calls do nothing.</summary>
    public static void Register()
    {
        lock (Gate)
        {
            if (_registered) return;
            KubernetesJson.AddJsonOptions(o =>
            {
                o.TypeInfoResolverChain.Insert(0, ApiJsonContext.Default);
                o.TypeInfoResolverChain.Insert(1, WatchEventJsonContext.Default);
            });
            _registered = true;
        }
    }
}

/// <summary>What KubernetesClient's watcher deserializes each line into: first generically (to spot a Status), then as T.</summary>
[JsonSerializable(typeof(Watcher<KubernetesObject>.WatchEvent))]
[JsonSerializable(typeof(Watcher<V1Status>.WatchEvent))]
[JsonSerializable(typeof(Watcher<object>.WatchEvent))]
internal sealed partial class WatchEventJsonContext : JsonSerializerContext;
