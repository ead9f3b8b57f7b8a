using JitAdmission.Controller.Crds;
using JitAdmission.Controller.Hosting;
using JitAdmission.Controller.Notifications;
using JitAdmission.Controller.Policies;
using JitAdmission.Controller.Requests;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace JitAdmission.Controller;

public static class ControllerServiceCollectionExtensions
{
    /// <summary>
    /// Registers the controller on top of the runtime services (caches, client, leadership, Events, the clock) and the
    /// metrics registry (<c>AddAdmissionWebhook</c>): the ApprovalRequest and ApprovalPolicy reconcilers run while this
    /// replica leads (<see cref="ControllerHost"/>), notifications are delivered in the background. Options:
    /// <c>Controller</c>, <c>Notifications</c>, and <c>Operator:Retention</c>.
    /// </summary>
    public static IServiceCollection AddJitController(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<ControllerOptions>().Bind(configuration.GetSection(ControllerOptions.SectionName));
        services.AddOptions<NotificationOptions>().Bind(configuration.GetSection(NotificationOptions.SectionName));

        // Per-attempt timeouts come from NotificationOptions; the client itself never gives up on its own. Its request
        // logging would write full webhook URLs, which carry secrets (Slack's do): the sender logs scheme and host only.
        services.AddHttpClient(NotificationSender.HttpClientName, http => http.Timeout = Timeout.InfiniteTimeSpan).RemoveAllLoggers();
        services.AddSingleton<NotificationMetrics>();
        services.AddSingleton<RequesterHandleConfigMap>();
        services.AddSingleton<IRequesterHandles>(sp => sp.GetRequiredService<RequesterHandleConfigMap>());
        services.AddSingleton<NotificationSender>();
        // Forwarding: the one sender, which NotificationRunner delivers from.
        services.AddSingleton<INotifier>(sp => sp.GetRequiredService<NotificationSender>());

        services.AddSingleton<ApprovalRequestMetrics>();
        services.AddSingleton<ApprovalRequestReconciler>();
        services.AddSingleton<ApprovalPolicyReconciler>();
        services.AddSingleton<CrdUpgrader>();
        services.AddSingleton<ControllerTerm>();
        services.AddSingleton<LeaderMetrics>();

        // Hosted services stop in reverse order. The notification runner goes first in the list so that it stops last:
        // its shutdown grace for deliveries in flight must not delay the Lease release, which makes a SIGTERM hand-over fast.
        services.Insert(0, ServiceDescriptor.Singleton<IHostedService, NotificationRunner>());
        services.AddHostedService<ControllerHost>();
        return services;
    }
}
