using JitAdmission.Core.Api;
using k8s;

namespace JitAdmission.Webhook.Tests.Infrastructure;

/// <summary>A client for caches that are never started and API calls a test never makes: nothing listens there.</summary>
internal static class NoApiServer
{
    public static readonly IKubernetes Client = new WatchableKubernetes(new KubernetesClientConfiguration { Host = "https://127.0.0.1:1" });
}
