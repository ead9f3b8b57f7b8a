using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using k8s;

namespace JitAdmission.Core.Api;

/// <summary>
/// Puts compile-time JSON metadata first in KubernetesClient's shared serializer options, which every API call and
/// <see cref="KubernetesJson"/> use: our API types, and the untyped JSON that we send and read. KubernetesClient.Aot
/// only knows the built-in kinds and, unlike the regular KubernetesClient, never falls back to reflection, so every
/// program that serializes through it (the server, kubectl-jit, the tests and benchmarks) registers this first.
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
                o.TypeInfoResolverChain.Insert(1, UntypedJsonContext.Default);
            });
            _registered = true;
        }
    }
}

/// <summary>Untyped JSON: custom objects read as elements (lists, gets, watch lines) and request bodies built as nodes.</summary>
[JsonSerializable(typeof(object))]
[JsonSerializable(typeof(JsonElement))]
[JsonSerializable(typeof(JsonNode))]
[JsonSerializable(typeof(JsonObject))]
[JsonSerializable(typeof(JsonArray))]
internal sealed partial class UntypedJsonContext : JsonSerializerContext;
