using System.Text.Json.Serialization;
using k8s;

namespace JitAdmission.Core.Api;

/// <summary>What every jit-admission object has: apiVersion, its kind, metadata, spec and status.</summary>
public abstract class CustomObject<TSpec, TStatus>(string kind) : IKubernetesObject<V1ObjectMeta>, ISpec<TSpec>, IStatus<TStatus?>
    where TSpec : new()
    where TStatus : class
{
    [JsonPropertyName("apiVersion")] public string ApiVersion { get; set; } = ApiConstants.ApiVersion;
    [JsonPropertyName("kind")] public string Kind { get; set; } = kind;
    [JsonPropertyName("metadata")] public V1ObjectMeta Metadata { get; set; } = new();
    [JsonPropertyName("spec")] public TSpec Spec { get; set; } = new();
    [JsonPropertyName("status")] public TStatus? Status { get; set; }
}

/// <summary>What every list of jit-admission objects has: apiVersion, its kind, list metadata and the items.</summary>
public abstract class CustomObjectList<T>(string kind) : IKubernetesObject<V1ListMeta>, IItems<T>
{
    [JsonPropertyName("apiVersion")] public string ApiVersion { get; set; } = ApiConstants.ApiVersion;
    [JsonPropertyName("kind")] public string Kind { get; set; } = kind;
    [JsonPropertyName("metadata")] public V1ListMeta Metadata { get; set; } = new();
    [JsonPropertyName("items")] public IList<T> Items { get; set; } = [];
}
