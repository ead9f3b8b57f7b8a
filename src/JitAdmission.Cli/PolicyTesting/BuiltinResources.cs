namespace JitAdmission.Cli.PolicyTesting;

/// <summary>A resource type as an admission request names it.</summary>
internal sealed record ResourceType(string Group, string Version, string Resource, string Kind, bool Namespaced);

/// <summary>
/// The built-in resource types, so that a test can say <c>resource: pods/eviction</c> or give a Deployment without
/// naming the API group, as kubectl users do; there is no API server to ask offline. Other types (custom resources) are
/// guessed from the object's apiVersion and kind (<c>Widget</c> → <c>widgets</c>), or named in the case with
/// <c>resource</c> and <c>apiVersion</c> when the guess is wrong.
/// </summary>
internal static class BuiltinResources
{
    private static readonly ResourceType[] All =
    [
        Core("pods", "Pod"), Core("services", "Service"), Core("configmaps", "ConfigMap"), Core("secrets", "Secret"),
        Core("serviceaccounts", "ServiceAccount"), Core("persistentvolumeclaims", "PersistentVolumeClaim"), Core("endpoints", "Endpoints"),
        Core("events", "Event"), Core("limitranges", "LimitRange"), Core("resourcequotas", "ResourceQuota"),
        Core("replicationcontrollers", "ReplicationController"), Core("podtemplates", "PodTemplate"),
        new("", "v1", "namespaces", "Namespace", false), new("", "v1", "nodes", "Node", false),
        new("", "v1", "persistentvolumes", "PersistentVolume", false),
        Of("apps", "deployments", "Deployment"), Of("apps", "statefulsets", "StatefulSet"), Of("apps", "daemonsets", "DaemonSet"),
        Of("apps", "replicasets", "ReplicaSet"), Of("apps", "controllerrevisions", "ControllerRevision"),
        Of("batch", "jobs", "Job"), Of("batch", "cronjobs", "CronJob"),
        Of("autoscaling", "horizontalpodautoscalers", "HorizontalPodAutoscaler", "v2"),
        Of("policy", "poddisruptionbudgets", "PodDisruptionBudget"),
        Of("networking.k8s.io", "ingresses", "Ingress"), Of("networking.k8s.io", "networkpolicies", "NetworkPolicy"),
        Of("networking.k8s.io", "ingressclasses", "IngressClass", namespaced: false),
        Of("rbac.authorization.k8s.io", "roles", "Role"), Of("rbac.authorization.k8s.io", "rolebindings", "RoleBinding"),
        Of("rbac.authorization.k8s.io", "clusterroles", "ClusterRole", namespaced: false),
        Of("rbac.authorization.k8s.io", "clusterrolebindings", "ClusterRoleBinding", namespaced: false),
        Of("storage.k8s.io", "storageclasses", "StorageClass", namespaced: false),
        Of("scheduling.k8s.io", "priorityclasses", "PriorityClass", namespaced: false),
        Of("coordination.k8s.io", "leases", "Lease"), Of("discovery.k8s.io", "endpointslices", "EndpointSlice"),
        Of("apiextensions.k8s.io", "customresourcedefinitions", "CustomResourceDefinition", namespaced: false),
        Of("admissionregistration.k8s.io", "validatingwebhookconfigurations", "ValidatingWebhookConfiguration", namespaced: false),
        Of("admissionregistration.k8s.io", "mutatingwebhookconfigurations", "MutatingWebhookConfiguration", namespaced: false),
        Of(ApiConstants.Group, ApiConstants.PolicyPlural, ApiConstants.PolicyKind, ApiConstants.Version, namespaced: false),
        Of(ApiConstants.Group, ApiConstants.RequestPlural, ApiConstants.RequestKind, ApiConstants.Version),
    ];

    /// <summary>The built-in type with this resource name (no subresource); null when it is not one.</summary>
    public static ResourceType? ByResource(string resource) => All.FirstOrDefault(t => t.Resource == resource);

    /// <summary>The type of an object with this apiVersion and kind: a built-in one, else the guess Kubernetes makes.</summary>
    public static ResourceType ByKind(string apiVersion, string kind, bool namespaced)
    {
        var (group, version) = SplitApiVersion(apiVersion);
        return All.FirstOrDefault(t => t.Group == group && t.Kind == kind)
            ?? new ResourceType(group, version, GuessResource(kind), kind, namespaced);
    }

    /// <summary>"apps/v1" → (apps, v1); "v1" → ("", v1).</summary>
    public static (string Group, string Version) SplitApiVersion(string apiVersion)
    {
        ArgumentNullException.ThrowIfNull(apiVersion);
        var slash = apiVersion.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? ("", apiVersion) : (apiVersion[..slash], apiVersion[(slash + 1)..]);
    }

    /// <summary>
    /// Kubernetes' guess (meta.UnsafeGuessKindToResource: lower case, then "s", "es" after an s, "ies" for a final y),
    /// except that a vowel before the y keeps it (Gateway → gateways), as CRD authors write plurals.
    /// </summary>
    public static string GuessResource(string kind)
    {
        ArgumentNullException.ThrowIfNull(kind);
        var singular = kind.ToLowerInvariant();
        if (singular.Length == 0) return singular;
        return singular[^1] switch
        {
            's' => singular + "es",
            'y' when singular.Length < 2 || singular[^2] is not ('a' or 'e' or 'i' or 'o' or 'u') => singular[..^1] + "ies",
            _ => singular + "s",
        };
    }

    private static ResourceType Core(string resource, string kind) => new("", "v1", resource, kind, true);

    private static ResourceType Of(string group, string resource, string kind, string version = "v1", bool namespaced = true) =>
        new(group, version, resource, kind, namespaced);
}
