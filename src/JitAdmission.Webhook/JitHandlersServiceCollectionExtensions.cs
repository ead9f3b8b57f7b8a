using JitAdmission.Core.Approval;
using JitAdmission.Webhook.Context;
using JitAdmission.Webhook.Gating;
using JitAdmission.Webhook.Guard;
using Microsoft.Extensions.Configuration;

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
        services.AddSingleton<IApprovalRequestStore, JitClientRequestStore>();
        services.AddSingleton<HeldRequestWaiters>();
        // Forwarding: the waiters are also what tells the controller a call is held.
        services.AddSingleton<IHeldCalls>(sp => sp.GetRequiredService<HeldRequestWaiters>());
        services.AddSingleton<ContextConfigMaps>();
        services.AddSingleton<IClusterContext, CachedClusterContext>();
        services.AddHostedService<ContextConfigMapRunner>();

        services.AddSingleton<GateHandler>();
        services.AddSingleton<GuardHandler>();
        services.AddSingleton<StampHandler>();
        return services;
    }
}
