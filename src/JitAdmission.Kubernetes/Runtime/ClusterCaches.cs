using JitAdmission.Kubernetes.Client;
using Microsoft.Extensions.Options;

namespace JitAdmission.Kubernetes.Runtime;

/// <summary>
/// The list+watch caches every replica keeps: the webhook decides from them without API calls, and the
/// controller reconciles from them. ApprovalRequests carry the standard indexes (fingerprint, requester, object).
/// Our own resources are cached without managedFields (nothing reads them; they are half of a cached request's memory);
/// Namespaces keep theirs, since CEL conditions see the namespace object whole. Cached requests share their repeated
/// strings (<see cref="ApprovalRequestSharing"/>).
/// </summary>
public sealed class ClusterCaches : IAdmissionCaches
{
    public ClusterCaches(IKubernetes client, TimeProvider time, ILoggerFactory loggerFactory, IOptions<KubernetesClientOptions>? options = null)
    {
        var clientOptions = options?.Value ?? new KubernetesClientOptions();
        ResourceCacheOptions Options(bool strip = true, Action<object>? transform = null) => new()
        {
            StripManagedFields = strip,
            Transform = transform,
            MinWatchTimeout = clientOptions.WatchTimeout,
            WatchGrace = clientOptions.WatchGrace,
            MaxBackoff = clientOptions.MaxRetryDelay,
        };

        Policies = new ResourceCache<ApprovalPolicy>(client, ResourceDescriptor.ApprovalPolicies, time,
            loggerFactory.CreateLogger<ResourceCache<ApprovalPolicy>>(), Options());
        var shared = new StringPool();
        Requests = new ResourceCache<ApprovalRequest>(client, ResourceDescriptor.ApprovalRequests, time,
            loggerFactory.CreateLogger<ResourceCache<ApprovalRequest>>(), Options(transform: r => ApprovalRequestSharing.Apply((ApprovalRequest)r, shared)))
            .AddStandardIndexes();
        Namespaces = new ResourceCache<V1Namespace>(client, ResourceDescriptor.Namespaces, time, loggerFactory.CreateLogger<ResourceCache<V1Namespace>>(),
            Options(strip: false));
    }

    public ResourceCache<ApprovalPolicy> Policies { get; }
    public ResourceCache<ApprovalRequest> Requests { get; }
    public ResourceCache<V1Namespace> Namespaces { get; }

    public bool IsSynced => Policies.IsSynced && Requests.IsSynced && Namespaces.IsSynced;

    /// <summary>Why the caches are not ready, or null.</summary>
    public string? NotSyncedReason()
    {
        var waiting = new List<string>(3);
        if (!Policies.IsSynced) waiting.Add(ApiConstants.PolicyPlural);
        if (!Requests.IsSynced) waiting.Add(ApiConstants.RequestPlural);
        if (!Namespaces.IsSynced) waiting.Add("namespaces");
        return waiting.Count == 0 ? null : "caches not synced: " + string.Join(", ", waiting);
    }

    /// <summary>Runs every cache until cancelled (each one retries on its own).</summary>
    public Task RunAsync(CancellationToken cancellationToken) =>
        Task.WhenAll(Policies.RunAsync(cancellationToken), Requests.RunAsync(cancellationToken), Namespaces.RunAsync(cancellationToken));
}
