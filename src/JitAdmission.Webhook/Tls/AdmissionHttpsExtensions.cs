using System.Net;
using System.Security.Authentication;
using JitAdmission.Kubernetes.Certificates;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace JitAdmission.Webhook;

public static class AdmissionHttpsExtensions
{
    /// <summary>The only protocols offered: the API server speaks TLS 1.2 and 1.3, older ones are broken.</summary>
    public const SslProtocols Protocols = SslProtocols.Tls12 | SslProtocols.Tls13;

    /// <summary>
    /// Kestrel listens on <see cref="WebhookOptions.ListenUrl"/> with HTTPS only (TLS 1.2/1.3, HTTP/1.1 and h2),
    /// taking the certificate from <see cref="ICertificateSource.Current"/> on every handshake so a rotation needs
    /// no restart; plus the optional plain-HTTP metrics listener.
    /// </summary>
    public static IWebHostBuilder UseAdmissionHttps(this IWebHostBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.UseKestrelHttpsConfiguration();
        builder.ConfigureServices(services => services.AddOptions<KestrelServerOptions>()
            .Configure<IOptions<WebhookOptions>, ICertificateSource>((kestrel, options, certificates) =>
                Configure(kestrel, options.Value, certificates)));
        return builder;
    }

    private static void Configure(KestrelServerOptions kestrel, WebhookOptions options, ICertificateSource certificates)
    {
        kestrel.AddServerHeader = false;
        // Admission endpoints enforce their own limit; this one guards every other path.
        kestrel.Limits.MaxRequestBodySize = Math.Max(options.MaxRequestBodyBytes + 1, kestrel.Limits.MaxRequestBodySize ?? 0);

        if (!ListenAddress.TryParse(options.ListenUrl, "https", out var https, out var error))
            throw new OptionsValidationException(WebhookOptions.SectionName, typeof(WebhookOptions), [$"Webhook:ListenUrl: {error}"]);
        Listen(kestrel, https, listen =>
        {
            listen.Protocols = HttpProtocols.Http1AndHttp2;
            listen.UseHttps(new HttpsConnectionAdapterOptions
            {
                SslProtocols = Protocols,
                // Asked for, never required at the handshake: probes have none, and a caller without one gets a clear 401
                // on the admission paths (ClientAuthentication) rather than a failed handshake.
                ClientCertificateMode = options.ClientCaFile is { Length: > 0 } ? ClientCertificateMode.AllowCertificate : ClientCertificateMode.NoCertificate,
                ClientCertificateValidation = (_, _, _) => true,
                ServerCertificateSelector = (_, _) => certificates.Current,
                HandshakeTimeout = TimeSpan.FromSeconds(10),
            });
        });

        if (options.MetricsListenUrl is { Length: > 0 } metricsUrl)
        {
            if (!ListenAddress.TryParse(metricsUrl, "http", out var metrics, out error))
                throw new OptionsValidationException(WebhookOptions.SectionName, typeof(WebhookOptions), [$"Webhook:MetricsListenUrl: {error}"]);
            Listen(kestrel, metrics, listen => listen.Protocols = HttpProtocols.Http1);
        }
    }

    private static void Listen(KestrelServerOptions kestrel, ListenAddress address, Action<ListenOptions> configure)
    {
        if (address.Localhost) kestrel.ListenLocalhost(address.Port, configure);
        else if (address.Address!.Equals(IPAddress.Any) || address.Address.Equals(IPAddress.IPv6Any)) kestrel.ListenAnyIP(address.Port, configure);
        else kestrel.Listen(address.Address, address.Port, configure);
    }
}
