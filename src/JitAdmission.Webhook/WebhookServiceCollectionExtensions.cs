using System.Diagnostics.CodeAnalysis;
using JitAdmission.Webhook.Endpoints;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Prometheus;

namespace JitAdmission.Webhook;

public static class WebhookServiceCollectionExtensions
{
    /// <summary>
    /// Registers the admission transport: <see cref="WebhookOptions"/> from the <c>Webhook</c> section (validated
    /// at start), <see cref="AdmissionMetrics"/>, and a <see cref="TimeProvider"/> and <see cref="CollectorRegistry"/>
    /// unless already registered (register <see cref="Metrics.DefaultRegistry"/> first to expose process metrics
    /// too). The serving certificate comes from an <c>ICertificateSource</c> registered elsewhere; its expiry is reported
    /// by <see cref="ServingCertificateMetrics"/>.
    /// </summary>
    public static IServiceCollection AddAdmissionWebhook(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<WebhookOptions>().Bind(configuration.GetSection(WebhookOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<WebhookOptions>, WebhookOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        // A factory: Prometheus makes registries, the container cannot.
        services.TryAddSingleton(_ => Metrics.NewCustomRegistry());
        services.TryAddSingleton<AdmissionMetrics>();
        services.TryAddSingleton<ServingCertificateMetrics>();
        services.TryAddSingleton<ClientAuthentication>();
        services.TryAddSingleton<AdmissionEndpointFactory>();
        return services;
    }

    /// <summary>Adds a condition <c>/readyz</c> waits for.</summary>
    public static IServiceCollection AddReadinessCheck<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] T>(this IServiceCollection services)
        where T : class, IReadinessCheck
    {
        services.AddSingleton<IReadinessCheck, T>();
        return services;
    }

    /// <summary>
    /// Adds a readiness condition on the <typeparamref name="TService"/> singleton, as a function that returns null when
    /// it is ready, else why not (e.g. <c>caches => caches.Synced ? null : "caches not synced"</c>). The service is
    /// taken from the container when <c>/readyz</c> asks, not before.
    /// </summary>
    public static IServiceCollection AddReadinessCheck<TService>(this IServiceCollection services, string name, Func<TService, string?> notReadyReason)
        where TService : notnull
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(notReadyReason);
        // A factory: the check is a name and a function, which the container cannot supply.
        services.AddSingleton<IReadinessCheck>(sp => new DelegateReadinessCheck(name, () => notReadyReason(sp.GetRequiredService<TService>())));
        return services;
    }

    /// <summary>Adds a readiness condition as a function that returns null when ready, else why not.</summary>
    public static IServiceCollection AddReadinessCheck(this IServiceCollection services, string name, Func<string?> notReadyReason)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(notReadyReason);
        services.AddSingleton<IReadinessCheck>(new DelegateReadinessCheck(name, notReadyReason));
        return services;
    }
}
