using JitAdmission.Kubernetes.Leadership;

namespace JitAdmission.Kubernetes.Runtime;

/// <summary><see cref="ILeadership"/> through a Lease (<see cref="LeaderElection"/>).</summary>
public sealed class LeaseLeadership : ILeadership
{
    private readonly LeaderElection _election;
    private readonly Lock _gate = new();
    private TaskCompletionSource<CancellationToken> _next = NewSource();

    public LeaseLeadership(LeaderElection election)
    {
        _election = election;
        election.StartedLeading += (_, e) =>
        {
            lock (_gate)
            {
                _next.TrySetResult(e.Token);
            }
        };
        election.StoppedLeading += (_, _) =>
        {
            lock (_gate)
            {
                if (_next.Task.IsCompleted) _next = NewSource();
            }
        };
    }

    public bool IsLeader => _election.IsLeader;

    public Task<CancellationToken> WaitForLeadershipAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            // A term that already ended is not handed out: wait for the next one.
            if (_next.Task.IsCompletedSuccessfully && _next.Task.Result.IsCancellationRequested) _next = NewSource();
            return _next.Task.WaitAsync(cancellationToken);
        }
    }

    private static TaskCompletionSource<CancellationToken> NewSource() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
