namespace JitAdmission.Kubernetes.Events;

public sealed class EventRecorderOptions
{
    /// <summary>Event source component (shown by kubectl describe as "From").</summary>
    public string Component { get; set; } = "jit-admission";

    /// <summary>This replica (pod name); recorded as source host and reporting instance.</summary>
    public string? Instance { get; set; }

    /// <summary>Where events about cluster-scoped objects (ApprovalPolicies) go; client-go uses "default" too.</summary>
    public string ClusterScopedNamespace { get; set; } = "default";

    /// <summary>Events waiting to be sent; beyond this they are dropped (and counted) rather than blocking callers.</summary>
    public int QueueCapacity { get; set; } = 1000;

    /// <summary>Identical events within this window update one Event's count and lastTimestamp.</summary>
    public TimeSpan AggregationWindow { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How many distinct recent events are remembered for aggregation.</summary>
    public int MaxAggregated { get; set; } = 4096;

    /// <summary>Messages are cut to this length.</summary>
    public int MaxMessageLength { get; set; } = 1024;
}
