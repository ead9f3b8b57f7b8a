namespace JitAdmission.Core.Admission;

/// <summary>
/// The identities the gate never holds: the Kubernetes controllers that run the cluster, named one by one (the
/// deployment controller writes a Deployment's revision annotation, the namespace controller empties a terminating
/// namespace, the garbage collector deletes what lost its owner, kubelets delete their pods). Holding their writes for
/// a human would stall the cluster, not protect it. Anyone able to act as one of them (impersonation, their token) is
/// as powerful as the control plane; docs/threat-model.md says so. People, cluster admins included, stay gated, and so
/// does every other ServiceAccount, kube-system's included. Configurable: Gate:TrustedUsers and Gate:TrustedGroups.
/// </summary>
public sealed class TrustedSubjects
{
    /// <summary>The control plane's own users.</summary>
    public static readonly IReadOnlyList<string> ControlPlaneUsers = ["system:kube-controller-manager", "system:kube-scheduler", "system:apiserver"];

    /// <summary>
    /// The kube-system ServiceAccounts kube-controller-manager runs its controllers as (--use-service-account-credentials):
    /// those that write users' objects.
    /// </summary>
    public static readonly IReadOnlyList<string> ControllerServiceAccounts =
    [
        "attachdetach-controller", "certificate-controller", "clusterrole-aggregation-controller", "cronjob-controller",
        "daemon-set-controller", "deployment-controller", "disruption-controller", "endpoint-controller", "endpointslice-controller",
        "endpointslicemirroring-controller", "ephemeral-volume-controller", "expand-controller", "generic-garbage-collector",
        "horizontal-pod-autoscaler", "job-controller", "namespace-controller", "node-controller", "persistent-volume-binder",
        "pod-garbage-collector", "pv-protection-controller", "pvc-protection-controller", "replicaset-controller",
        "replication-controller", "resourcequota-controller", "root-ca-cert-publisher", "service-account-controller",
        "service-controller", "statefulset-controller", "ttl-after-finished-controller", "ttl-controller",
    ];

    /// <summary>Kubelets: with the NodeRestriction admission plugin each writes only its own node's pods.</summary>
    public static readonly IReadOnlyList<string> NodeGroups = ["system:nodes"];

    /// <summary>The default: the control plane, its controllers, and kubelets.</summary>
    public static readonly TrustedSubjects Kubernetes = new(
        [.. ControlPlaneUsers, .. ControllerServiceAccounts.Select(sa => "system:serviceaccount:kube-system:" + sa)], NodeGroups);

    /// <summary>Nobody is trusted (tests, and clusters that want every write gated).</summary>
    public static readonly TrustedSubjects None = new([], []);

    private readonly HashSet<string> _users;
    private readonly HashSet<string> _groups;

    public TrustedSubjects(IEnumerable<string> users, IEnumerable<string> groups)
    {
        _users = new HashSet<string>(users, StringComparer.Ordinal);
        _groups = new HashSet<string>(groups, StringComparer.Ordinal);
    }

    public IReadOnlyCollection<string> Users => _users;

    public IReadOnlyCollection<string> Groups => _groups;

    /// <summary>The configured lists; each one that is null keeps its default.</summary>
    public static TrustedSubjects From(IEnumerable<string>? users, IEnumerable<string>? groups) =>
        users is null && groups is null ? Kubernetes : new(users ?? Kubernetes.Users, groups ?? Kubernetes.Groups);

    public bool Contains(UserInfo user)
    {
        ArgumentNullException.ThrowIfNull(user);
        if (_users.Contains(user.Username)) return true;
        foreach (var group in user.Groups)
        {
            if (_groups.Contains(group)) return true;
        }

        return false;
    }
}
