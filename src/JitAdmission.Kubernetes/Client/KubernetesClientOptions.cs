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
}
