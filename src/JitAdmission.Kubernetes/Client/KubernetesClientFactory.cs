using System.Net.Http;

namespace JitAdmission.Kubernetes.Client;

/// <summary>Builds the API client: in-cluster service-account credentials or a kubeconfig, with watch-friendly timeouts.</summary>
public static class KubernetesClientFactory
{
    public static IKubernetes Create(KubernetesClientOptions? options = null)
    {
        options ??= new KubernetesClientOptions();
        return Create(BuildConfiguration(options.Kubeconfig, options.Context), options);
    }

    public static IKubernetes Create(KubernetesClientConfiguration configuration, KubernetesClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        options ??= new KubernetesClientOptions();
        configuration.HttpClientTimeout = options.RequestTimeout;
        var previous = configuration.FirstMessageHandlerSetup;
        configuration.FirstMessageHandlerSetup = handler =>
        {
            previous?.Invoke(handler);
            handler.KeepAlivePingDelay = options.KeepAlivePingDelay;
            handler.KeepAlivePingTimeout = options.KeepAlivePingTimeout;
            handler.KeepAlivePingPolicy = HttpKeepAlivePingPolicy.WithActiveRequests;
            // Many long-lived watches share a connection; let the pool open more when a server caps streams.
            handler.EnableMultipleHttp2Connections = true;
            handler.ConnectTimeout = options.RequestTimeout;
        };
        return new WatchableKubernetes(configuration);
    }

    /// <summary>
    /// An explicit kubeconfig (and/or context) wins; otherwise in-cluster credentials inside a pod; otherwise the
    /// first file of $KUBECONFIG, else ~/.kube/config.
    /// </summary>
    public static KubernetesClientConfiguration BuildConfiguration(string? kubeconfig = null, string? context = null)
    {
        if (kubeconfig is null && context is null && KubernetesClientConfiguration.IsInCluster())
            return KubernetesClientConfiguration.InClusterConfig();
        var path = kubeconfig ?? FirstKubeconfigFromEnvironment() ?? KubernetesClientConfiguration.KubeConfigDefaultLocation;
        return KubernetesClientConfiguration.BuildConfigFromConfigObject(KubeconfigFile.Load(path), context);
    }

    private static string? FirstKubeconfigFromEnvironment()
    {
        var value = Environment.GetEnvironmentVariable("KUBECONFIG");
        if (string.IsNullOrWhiteSpace(value)) return null;
        return value.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault();
    }
}
