namespace JitAdmission.Kubernetes.Caching;

public static class KubernetesObjects
{
    /// <summary>
    /// A deep copy through the Kubernetes JSON serializer. Objects handed out by a cache are shared with every
    /// reader: copy before changing one (e.g. to write a new status), never mutate the cached instance.
    /// </summary>
    public static T DeepCopy<T>(T obj)
        where T : class =>
        KubernetesJson.Deserialize<T>(KubernetesJson.Serialize(obj));
}
