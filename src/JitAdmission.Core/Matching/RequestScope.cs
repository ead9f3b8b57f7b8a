using JitAdmission.Core.Admission;

namespace JitAdmission.Core.Matching;

/// <summary>Where a request lives for matching: a Namespace object's namespace is its own name
/// (docs/semantics.md), any other object without a namespace is cluster-scoped.</summary>
public static class RequestScope
{
    public static bool IsNamespaceObject(AdmissionAttributes request) =>
        request.Resource.Group.Length == 0 && request.Resource.Resource == "namespaces";

    /// <summary>The namespace policies match against; empty for cluster-scoped objects.</summary>
    public static string EffectiveNamespace(AdmissionAttributes request) =>
        IsNamespaceObject(request) && request.Name.Length > 0 ? request.Name : request.Namespace;
}
