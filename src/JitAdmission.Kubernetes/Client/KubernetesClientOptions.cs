namespace JitAdmission.Kubernetes.Client;

public sealed class KubernetesClientOptions
{
    /// <summary>A kubeconfig file; null: in-cluster when running in a pod, else $KUBECONFIG or ~/.kube/config.</summary>
    public string? Kubeconfig { get; set; }

    /// <summary>A kubeconfig context; null: the current context.</summary>
    public string? Context { get; set; }

    /// <summary>Time until response headers arrive. A watch's body streams for as long as the server keeps it open,
    /// so this bounds ordinary calls without cutting watches.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>HTTP/2 pings on idle connections, so a silently dead connection (and its watches) is noticed.</summary>
    public TimeSpan KeepAlivePingDelay { get; set; } = TimeSpan.FromSeconds(30);

    public TimeSpan KeepAlivePingTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Each cache's watch asks the API server to end it after a random time in [t, 2t) and is then renewed from where
    /// it stopped (no re-list). A watch that delivers nothing by then plus <see cref="WatchGrace"/> is presumed stalled
    /// and replaced, so this bounds how long a silently stalled watch (connection alive, no events: pings do not catch
    /// it) keeps a replica's policies stale. client-go uses 5 minutes; a gate needs its policies sooner.
    /// </summary>
    public TimeSpan WatchTimeout { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long past the server-side end of a watch the cache waits for it before replacing it.</summary>
    public TimeSpan WatchGrace { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The longest pause between a cache's retries of a failed list or watch (exponential from 0.5 s, with jitter):
    /// after an outage of the API path a replica is blind to new policies and approvals for at most this long past
    /// the outage. client-go waits up to 30 s; a gate should not.
    /// </summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(5);
}
