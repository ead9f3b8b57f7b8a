using Microsoft.Extensions.Hosting;

namespace JitAdmission.Kubernetes.Runtime;

/// <summary>
/// <see cref="ILeadership"/> without an election (<c>--leader-elect=false</c>, a single replica): always the
/// leader, for as long as the process runs (until it is stopping).
/// </summary>
public sealed class SoleLeadership(IHostApplicationLifetime lifetime) : ILeadership
{
    public bool IsLeader => !lifetime.ApplicationStopping.IsCancellationRequested;

    public Task<CancellationToken> WaitForLeadershipAsync(CancellationToken cancellationToken) => Task.FromResult(lifetime.ApplicationStopping);
}
