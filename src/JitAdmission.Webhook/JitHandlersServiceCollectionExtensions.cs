using JitAdmission.Core.Approval;
using JitAdmission.Core.Matching;
using JitAdmission.Kubernetes.Api;
using JitAdmission.Kubernetes.Runtime;
using JitAdmission.Webhook.Context;
using JitAdmission.Webhook.Gating;
using JitAdmission.Webhook.Guard;
using k8s;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace JitAdmission.Webhook;

public static class JitHandlersServiceCollectionExtensions
{
    /// <summary>
    /// The admission handlers: <see cref="GateHandler"/> (<c>/validate</c>), <see cref="GuardHandler"/> (<c>/guard</c>) and
    /// <see cref="StampHandler"/> (<c>/mutate</c>), with the cluster context they read (namespaces, and the ConfigMaps
    /// policies reference, watched while referenced). Needs the runtime services (client, caches, policies, identity).
    /// </summary>
    public static IServiceCollection AddJitAdmissionHandlers(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<GateOptions>().Bind(configuration.GetSection(GateOptions.SectionName));
        services.AddSingleton<IApprovalRequestStore>(sp => new JitClientRequestStore(sp.GetRequiredService<JitClient>()));
        services.AddSingleton(sp => new HeldRequestWaiters(sp.GetRequiredService<ClusterCaches>().Requests));
        services.AddSingleton<IHeldCalls>(sp => sp.GetRequiredService<HeldRequestWaiters>());
        services.AddSingleton(sp => new ContextConfigMaps(
            sp.GetRequiredService<IKubernetes>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILoggerFactory>()));
        services.AddSingleton<IClusterContext>(sp => new CachedClusterContext(
            sp.GetRequiredService<ClusterCaches>().Namespaces, sp.GetRequiredService<ContextConfigMaps>()));
        services.AddHostedService<ContextConfigMapRunner>();

        services.AddSingleton<IAdmissionCaches>(sp => sp.GetRequiredService<ClusterCaches>());
        services.AddSingleton<GateHandler>();
        services.AddSingleton<GuardHandler>();
        services.AddSingleton<StampHandler>();
        return services;
    }
}
