using JitAdmission.Core.Api;
using JitAdmission.Kubernetes.Api;
using JitAdmission.Kubernetes.Audit;
using JitAdmission.Kubernetes.Caching;
using JitAdmission.Kubernetes.Certificates;
using JitAdmission.Kubernetes.Client;
using JitAdmission.Kubernetes.Events;
using JitAdmission.Kubernetes.Leadership;
using JitAdmission.Webhook;
using k8s.Models;

namespace JitAdmission.Hosting;

/// <summary>
/// What both roles share: the API client, the operator's identity, the caches and compiled policies, the
/// serving certificate, Events, and leadership. The webhook handlers and the controller build on these.
/// </summary>
public static class RuntimeServiceCollectionExtensions
{
    public static IServiceCollection AddJitRuntime(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<OperatorOptions>().Bind(configuration.GetSection(OperatorOptions.SectionName));
        services.AddOptions<KubernetesClientOptions>().Bind(configuration.GetSection("Kubernetes"));
        services.AddOptions<CertificateOptions>().Bind(configuration.GetSection(CertificateOptions.SectionName));
        services.AddOptions<LeaderElectionOptions>().Bind(configuration.GetSection("LeaderElection"))
            .PostConfigure<OperatorIdentity>((o, identity) => o.Namespace = string.IsNullOrEmpty(o.Namespace) ? identity.Namespace : o.Namespace);
        services.AddOptions<EventRecorderOptions>().Configure(o => o.Instance = LeaderElection.DefaultIdentity());
        services.PostConfigure<WebhookOptions>(o => DefaultListenUrl(o, configuration));

        services.AddSingleton(TimeProvider.System);
        // A factory: the client is built from a kubeconfig or the pod's credentials, not by a constructor.
        services.AddSingleton(sp => KubernetesClientFactory.Create(sp.GetRequiredService<IOptions<KubernetesClientOptions>>().Value));
        services.AddSingleton<JitClient>();
        services.AddSingleton<OperatorIdentity>();
        services.AddSingleton<ClusterCaches>();
        AddCacheReaders(services);
        services.AddSingleton<AuditLog>();
        services.AddSingleton<PolicySetProvider>();
        services.AddSingleton<EventRecorder>();
        // Forwarding: the one recorder, which EventRunner sends from.
        services.AddSingleton<IEventRecorder>(sp => sp.GetRequiredService<EventRecorder>());
        services.AddSingleton<CertificateSourceFactory>();
        // A factory: the configured mode chooses the implementation.
        services.AddSingleton(sp => sp.GetRequiredService<CertificateSourceFactory>().Create());
        AddLeadership(services, configuration);

        // Start order matters: identity first (the guard needs it), then the caches the handlers read.
        services.AddHostedService<IdentityResolver>();
        services.AddHostedService<OperatorNamespaceEnsurer>();
        services.AddHostedService<CacheRunner>();
        services.AddHostedService<CertificateRunner>();
        services.AddHostedService<EventRunner>();

        services.AddReadinessCheck<OperatorIdentity>("identity", identity => identity.IsResolved ? null : "operator identity not resolved");
        services.AddReadinessCheck<ClusterCaches>("caches", caches => caches.NotSyncedReason());
        services.AddReadinessCheck<ICertificateSource>("certificate", source => source switch
        {
            SecretCertificateSource { IsReady: false } => "serving certificate not loaded from its Secret yet",
            // The API server refuses an expired certificate: this replica cannot serve a call, and must say so.
            _ when source.Current.NotAfter.ToUniversalTime() <= DateTime.UtcNow =>
                $"the serving certificate expired at {source.Current.NotAfter.ToUniversalTime():u} and was not renewed",
            _ => null,
        });
        return services;
    }

    /// <summary>
    /// Forwarding: <see cref="ClusterCaches"/> builds the caches together (one string pool, the request indexes); these
    /// hand them, or what they offer, to the classes that read one of them.
    /// </summary>
    private static void AddCacheReaders(IServiceCollection services)
    {
        services.AddSingleton<IAdmissionCaches>(sp => sp.GetRequiredService<ClusterCaches>());
        services.AddSingleton<IResourceCacheReader<ApprovalPolicy>>(sp => sp.GetRequiredService<ClusterCaches>().Policies);
        services.AddSingleton<IResourceCacheReader<ApprovalRequest>>(sp => sp.GetRequiredService<ClusterCaches>().Requests);
        services.AddSingleton<IResourceCacheReader<V1Namespace>>(sp => sp.GetRequiredService<ClusterCaches>().Namespaces);
    }

    private static void AddLeadership(IServiceCollection services, IConfiguration configuration)
    {
        if (configuration.GetValue("LeaderElection:Enabled", defaultValue: true))
        {
            services.AddSingleton<LeaderElection>();
            services.AddSingleton<ILeadership, LeaseLeadership>();
            services.AddHostedService<LeaderElectionRunner>();
        }
        else
        {
            services.AddSingleton<ILeadership, SoleLeadership>();
        }
    }

    /// <summary>Out of cluster Kestrel listens where the API server is told to call, unless told otherwise.</summary>
    private static void DefaultListenUrl(WebhookOptions options, IConfiguration configuration)
    {
        if (configuration["Webhook:ListenUrl"] is { Length: > 0 }) return;
        if (configuration["Webhook:Url"] is { Length: > 0 } url && Uri.TryCreate(url, UriKind.Absolute, out var uri))
            options.ListenUrl = $"https://{uri.Authority}";
    }
}
