namespace JitAdmission.Kubernetes.Runtime;

/// <summary>
/// <see cref="ILeadership"/> without an election (<c>--leader-elect=false</c>, a single replica): always the
/// leader, for as long as the process runs.
/// </summary>
public sealed class SoleLeadership(CancellationToken processLifetime) : ILeadership
{
    public bool IsLeader => !processLifetime.IsCancellationRequested;

    public Task<CancellationToken> WaitForLeadershipAsync(CancellationToken cancellationToken) => Task.FromResult(processLifetime);
}
