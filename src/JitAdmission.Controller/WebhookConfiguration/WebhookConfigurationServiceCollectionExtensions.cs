using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace JitAdmission.Controller.WebhookConfiguration;

public static class WebhookConfigurationServiceCollectionExtensions
{
    /// <summary>
    /// The leader-only owner of the webhook configurations, with <see cref="WebhookConfigurationOptions"/> from the
    /// <c>Webhook</c> section, validated at start. Needs the runtime services (client, caches, policies, certificate, leadership).
    /// </summary>
    public static IServiceCollection AddWebhookConfigurationOwner(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<WebhookConfigurationOptions>().Bind(configuration.GetSection(WebhookConfigurationOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<WebhookConfigurationOptions>, WebhookConfigurationOptionsValidator>());
        services.AddHostedService<WebhookConfigurationOwner>();
        services.AddSingleton<WebhookTrustMetrics>();
        // Every replica checks that the API server can verify it; readiness reports an expired certificate.
        services.AddSingleton<WebhookTrustMonitor>();
        services.AddHostedService(sp => sp.GetRequiredService<WebhookTrustMonitor>());
        return services;
    }
}
