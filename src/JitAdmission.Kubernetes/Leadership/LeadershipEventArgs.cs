namespace JitAdmission.Kubernetes.Leadership;

/// <summary>Leadership began; <see cref="Token"/> is cancelled when it ends (lost, or released on shutdown).</summary>
public sealed class LeadershipStartedEventArgs(CancellationToken token) : EventArgs
{
    public CancellationToken Token { get; } = token;
}

/// <summary>Another (or no longer another) replica was observed holding the Lease.</summary>
public sealed class LeaderObservedEventArgs(string leader) : EventArgs
{
    public string Leader { get; } = leader;
}
