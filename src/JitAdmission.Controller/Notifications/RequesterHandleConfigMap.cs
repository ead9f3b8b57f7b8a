using k8s;

namespace JitAdmission.Controller.Notifications;

/// <summary>
/// <see cref="IRequesterHandles"/> from a live copy of the ConfigMap <see cref="RequesterHandles.ConfigMapName"/> in the
/// operator's namespace (a list+watch on that one name), so an admin's edit applies to the next notification. Until the
/// copy is loaded, or without the ConfigMap, nobody has a handle: messages are still sent, only without the mention.
/// </summary>
public sealed class RequesterHandleConfigMap : IRequesterHandles
{
    private readonly ResourceCache<V1ConfigMap> _cache;
    private readonly string _namespace;

    public RequesterHandleConfigMap(IKubernetes client, OperatorIdentity identity, TimeProvider time, ILoggerFactory loggers)
    {
        ArgumentNullException.ThrowIfNull(identity);
        ArgumentNullException.ThrowIfNull(loggers);
        _namespace = identity.Namespace;
        var descriptor = ResourceDescriptor.ConfigMaps.InNamespace(_namespace).WithFieldSelector($"metadata.name={RequesterHandles.ConfigMapName}");
        _cache = new ResourceCache<V1ConfigMap>(client, descriptor, time, loggers.CreateLogger<ResourceCache<V1ConfigMap>>());
    }

    public string? For(string username) => RequesterHandles.Lookup(_cache.Get(_namespace, RequesterHandles.ConfigMapName)?.Data, username);

    /// <summary>Keeps the copy current until cancelled (the cache retries on its own).</summary>
    public Task RunAsync(CancellationToken cancellationToken) => _cache.RunAsync(cancellationToken);
}
