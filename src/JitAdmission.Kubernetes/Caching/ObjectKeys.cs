namespace JitAdmission.Kubernetes.Caching;

/// <summary>Cache keys: <c>namespace/name</c>, or <c>name</c> for cluster-scoped objects (as client-go).</summary>
public static class ObjectKeys
{
    public static string For(string? @namespace, string name) =>
        string.IsNullOrEmpty(@namespace) ? name : string.Concat(@namespace, "/", name);

    public static string For(IKubernetesObject<V1ObjectMeta> obj) =>
        For(obj.Metadata?.NamespaceProperty, obj.Metadata?.Name ?? throw new ArgumentException("object has no name", nameof(obj)));
}
