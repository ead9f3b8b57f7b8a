namespace JitAdmission.Core.Admission;

/// <summary>
/// Kubernetes' own components, never gated. They act on users' objects as part of running the cluster — the
/// deployment controller writes a Deployment's revision annotation, the namespace controller deletes everything in a
/// terminating namespace, the garbage collector removes owner references, kubelets delete their pods — and holding
/// those writes for a human would stall the cluster, not protect it. People (admins included) stay gated.
/// </summary>
public static class ControlPlaneSubjects
{
    private const string KubeSystemServiceAccounts = "system:serviceaccount:kube-system:";

    public static bool Contains(UserInfo user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return user.Username.StartsWith(KubeSystemServiceAccounts, StringComparison.Ordinal)
            || user.Username is "system:kube-controller-manager" or "system:kube-scheduler" or "system:apiserver"
            || user.Groups.Contains("system:nodes", StringComparer.Ordinal);
    }
}
