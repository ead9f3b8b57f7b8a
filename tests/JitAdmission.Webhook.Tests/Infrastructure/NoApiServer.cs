using JitAdmission.Core.Api;
using JitAdmission.Kubernetes.Caching;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;

namespace JitAdmission.Webhook.Tests.Infrastructure;

/// <summary>A client for caches that are never started and API calls a test never makes: nothing listens there.</summary>
internal static class NoApiServer
{
    public static readonly IKubernetes Client = new WatchableKubernetes(new KubernetesClientConfiguration { Host = "https://127.0.0.1:1" });

    /// <summary>A cache on this client, never started: the tests feed it by hand.</summary>
    public static ResourceCache<T> Cache<T>(ResourceDescriptor descriptor, ResourceCacheOptions? options = null)
        where T : class, IKubernetesObject<V1ObjectMeta> =>
        new(Client, descriptor, TimeProvider.System, NullLogger<ResourceCache<T>>.Instance, options);
}
