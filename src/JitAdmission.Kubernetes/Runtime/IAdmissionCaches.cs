namespace JitAdmission.Kubernetes.Runtime;

/// <summary>What the admission handlers need of the caches: the ApprovalRequests (read, and written through after a
/// write of their own) and whether the caches hold the cluster's state yet.</summary>
public interface IAdmissionCaches
{
    ResourceCache<ApprovalRequest> Requests { get; }

    bool IsSynced { get; }
}
