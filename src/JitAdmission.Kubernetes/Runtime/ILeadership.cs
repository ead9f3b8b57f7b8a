namespace JitAdmission.Kubernetes.Runtime;

/// <summary>
/// Whether this replica may reconcile. Every replica serves the webhook; only the leader runs the controller.
/// </summary>
public interface ILeadership
{
    bool IsLeader { get; }

    /// <summary>Completes when this replica leads, with a token cancelled when that term ends.</summary>
    Task<CancellationToken> WaitForLeadershipAsync(CancellationToken cancellationToken);
}
