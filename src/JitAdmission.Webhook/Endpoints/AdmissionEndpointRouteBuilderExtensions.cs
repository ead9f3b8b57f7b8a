using System.Globalization;
using JitAdmission.Webhook.Endpoints;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Prometheus;

namespace JitAdmission.Webhook;

public static class AdmissionEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps the admission paths configured by <paramref name="map"/>, plus <c>/healthz</c>, <c>/readyz</c> and
    /// <c>/metrics</c> (only on the metrics listener when <see cref="WebhookOptions.MetricsListenUrl"/> is set).
    /// </summary>
    public static IEndpointRouteBuilder MapAdmissionEndpoints(this IEndpointRouteBuilder endpoints, Action<AdmissionEndpointMap> map)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(map);
        map(new AdmissionEndpointMap(endpoints));
        HealthEndpoints.Map(endpoints);

        var options = endpoints.ServiceProvider.GetRequiredService<IOptions<WebhookOptions>>().Value;
        var registry = endpoints.ServiceProvider.GetRequiredService<CollectorRegistry>();
        // Created with /metrics, so the certificate's expiry is there from the first scrape (it follows reloads itself).
        endpoints.ServiceProvider.GetRequiredService<ServingCertificateMetrics>();
        var metrics = endpoints.MapMetrics("/metrics", registry);
        if (options.MetricsListenUrl is { Length: > 0 } url && ListenAddress.TryParse(url, "http", out var address, out _))
            metrics.RequireHost("*:" + address.Port.ToString(CultureInfo.InvariantCulture));
        return endpoints;
    }

    /// <summary>Maps one admission path (any method, so others get a clear 405) to <paramref name="handler"/>.</summary>
    public static IEndpointConventionBuilder MapAdmission(this IEndpointRouteBuilder endpoints, string path, IAdmissionHandler handler,
        AdmissionEndpointKind kind = AdmissionEndpointKind.Validating)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(handler);
        var endpoint = endpoints.ServiceProvider.GetRequiredService<AdmissionEndpointFactory>().Create(path, handler, kind);
        return endpoints.Map(path, endpoint.InvokeAsync).WithDisplayName("admission " + path);
    }
}
