namespace JitAdmission.Core.Matching;

/// <summary>
/// Live cluster objects a policy may look at, served from the caller's caches (the webhook's informers).
/// Implementations must answer from memory: evaluation runs on the admission hot path.
/// </summary>
public interface IClusterContext
{
    /// <summary>The Namespace object, or null when it is not known.</summary>
    JsonElement? GetNamespace(string name);

    /// <summary>The ConfigMap object, or null when it does not exist.</summary>
    JsonElement? GetConfigMap(string @namespace, string name);
}
