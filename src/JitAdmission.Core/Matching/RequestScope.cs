namespace JitAdmission.Core.Matching;

/// <summary>Where a request lives for matching: a Namespace object's namespace is its own name
/// (docs/semantics.md), any other object without a namespace is cluster-scoped.</summary>
public static class RequestScope
{
    public static bool IsNamespaceObject(AdmissionAttributes request) =>
        request.Resource.Group.Length == 0 && request.Resource.Resource == "namespaces";

    /// <summary>How people read the target: <c>prod/web</c>, or just the name for cluster-scoped objects and Namespaces
    /// (whose namespace the API server sets to their own name).</summary>
    public static string DisplayTarget(AdmissionAttributes request, string name) =>
        request.Namespace.Length > 0 && !IsNamespaceObject(request) ? $"{request.Namespace}/{name}" : name;

    /// <summary>The namespace policies match against; empty for cluster-scoped objects.</summary>
    public static string EffectiveNamespace(AdmissionAttributes request) =>
        IsNamespaceObject(request) && request.Name.Length > 0 ? request.Name : request.Namespace;
}
