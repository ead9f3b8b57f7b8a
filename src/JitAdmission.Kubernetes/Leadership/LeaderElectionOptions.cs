namespace JitAdmission.Kubernetes.Leadership;

public sealed class LeaderElectionOptions
{
    /// <summary>Namespace of the Lease (the operator's namespace).</summary>
    public string Namespace { get; set; } = "";

    public string LeaseName { get; set; } = "jit-admission";

    /// <summary>Who we are in the Lease; default <see cref="LeaderElection.DefaultIdentity"/> (pod name + unique suffix).</summary>
    public string? Identity { get; set; }

    /// <summary>How long others wait after the last renewal before taking over a leader that vanished.</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How long the leader keeps trying to renew before it gives leadership up.</summary>
    public TimeSpan RenewDeadline { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Interval between acquire/renew attempts.</summary>
    public TimeSpan RetryPeriod { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Bound on releasing the Lease during a graceful shutdown.</summary>
    public TimeSpan ReleaseTimeout { get; set; } = TimeSpan.FromSeconds(5);

    internal void Validate()
    {
        if (string.IsNullOrEmpty(Namespace)) throw new ArgumentException("LeaderElectionOptions.Namespace is required");
        if (string.IsNullOrEmpty(LeaseName)) throw new ArgumentException("LeaderElectionOptions.LeaseName is required");
        if (LeaseDuration < TimeSpan.FromSeconds(1)) throw new ArgumentException("LeaseDuration must be at least 1s (the Lease counts whole seconds)");
        // As client-go: a leader must give up before others may take over, and retry several times before that.
        if (LeaseDuration <= RenewDeadline) throw new ArgumentException("LeaseDuration must be greater than RenewDeadline");
        if (RenewDeadline <= RetryPeriod * 1.2) throw new ArgumentException("RenewDeadline must be greater than 1.2 × RetryPeriod");
        if (RetryPeriod <= TimeSpan.Zero) throw new ArgumentException("RetryPeriod must be positive");
    }
}
