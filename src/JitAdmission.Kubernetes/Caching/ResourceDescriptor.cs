namespace JitAdmission.Kubernetes.Caching;

/// <summary>
/// Which objects a <see cref="ResourceCache{T}"/> lists and watches: the REST coordinates of a resource plus an
/// optional namespace and selectors. The core group is the empty string.
/// </summary>
public sealed record ResourceDescriptor(string Group, string Version, string Plural, bool Namespaced)
{
    /// <summary>Restricts a namespaced resource to one namespace; null watches all namespaces.</summary>
    public string? Namespace { get; init; }

    public string? LabelSelector { get; init; }

    public string? FieldSelector { get; init; }

    public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

    public static ResourceDescriptor Namespaces { get; } = new("", "v1", "namespaces", Namespaced: false);
    public static ResourceDescriptor ConfigMaps { get; } = new("", "v1", "configmaps", Namespaced: true);
    public static ResourceDescriptor Secrets { get; } = new("", "v1", "secrets", Namespaced: true);
    public static ResourceDescriptor Leases { get; } = new("coordination.k8s.io", "v1", "leases", Namespaced: true);
    public static ResourceDescriptor ApprovalPolicies { get; } = new(ApiConstants.Group, ApiConstants.Version, ApiConstants.PolicyPlural, Namespaced: false);
    public static ResourceDescriptor ApprovalRequests { get; } = new(ApiConstants.Group, ApiConstants.Version, ApiConstants.RequestPlural, Namespaced: true);

    public ResourceDescriptor InNamespace(string @namespace)
    {
        if (!Namespaced) throw new InvalidOperationException($"{Plural} is cluster-scoped and cannot be restricted to a namespace");
        return this with { Namespace = @namespace };
    }

    public ResourceDescriptor WithLabelSelector(string selector) => this with { LabelSelector = selector };

    public ResourceDescriptor WithFieldSelector(string selector) => this with { FieldSelector = selector };

    public override string ToString()
    {
        var text = Group.Length == 0 ? Plural : $"{Plural}.{Group}";
        if (Namespace is not null) text += $" in {Namespace}";
        if (LabelSelector is not null) text += $" labels({LabelSelector})";
        if (FieldSelector is not null) text += $" fields({FieldSelector})";
        return text;
    }
}
