using System.Net;
using JitAdmission.Kubernetes.Certificates;
using JitAdmission.Kubernetes.Client;
using k8s;

namespace JitAdmission.Hosting;

/// <summary>
/// The serving certificate's source, as <see cref="CertificateOptions"/> says: files, the operator's Secret, or a
/// self-signed pair. Its names: the Service's DNS names in a cluster, loopback out of cluster, and the host of
/// <c>Webhook:Url</c> when the API server is told to call there.
/// </summary>
/// <remarks>
/// A factory: the mode chooses the implementation. What only the Secret mode needs (the API client, the identity,
/// leadership) is taken from the container in that mode alone, so the other modes build none of it when the server
/// asks for its certificate.
/// </remarks>
internal sealed class CertificateSourceFactory(
    IOptions<CertificateOptions> options,
    IOptions<KubernetesClientOptions> clientOptions,
    IConfiguration configuration,
    IServiceProvider services,
    TimeProvider time,
    ILoggerFactory loggers)
{
    public ICertificateSource Create()
    {
        var settings = options.Value;
        var inCluster = string.IsNullOrEmpty(clientOptions.Value.Kubeconfig) && KubernetesClientConfiguration.IsInCluster();
        var mode = settings.Resolve(inCluster);
        HostLog.Certificates(loggers.CreateLogger("JitAdmission.Hosting"), mode);
        switch (mode)
        {
            case CertificateMode.Files:
                if (string.IsNullOrEmpty(settings.CertFile) || string.IsNullOrEmpty(settings.KeyFile))
                    throw new OptionsValidationException(CertificateOptions.SectionName, typeof(CertificateOptions), ["Certificates: Files mode needs --tls-cert-file and --tls-key-file"]);
                return new FileCertificateSource(settings.CertFile, settings.KeyFile, settings.CaFile, time, loggers.CreateLogger<FileCertificateSource>());
            case CertificateMode.Secret:
            {
                var identity = services.GetRequiredService<OperatorIdentity>();
                var secretOptions = new SecretCertificateOptions
                {
                    Namespace = identity.Namespace,
                    SecretName = settings.SecretName,
                    ServingLifetime = settings.ServingLifetime,
                    CheckInterval = settings.CheckInterval,
                };
                foreach (var name in ServiceDnsNames(identity.Namespace)) secretOptions.DnsNames.Add(name);
                // Out of cluster with the chart's Secret: the API server calls --webhook-url, so its host must be in the certificate too.
                if (WebhookHost() is { } host)
                {
                    if (IPAddress.TryParse(host, out var ip)) secretOptions.IpAddresses.Add(ip);
                    else if (!secretOptions.DnsNames.Contains(host, StringComparer.OrdinalIgnoreCase)) secretOptions.DnsNames.Add(host);
                }

                var leadership = services.GetRequiredService<ILeadership>();
                return new SecretCertificateSource(services.GetRequiredService<IKubernetes>(), secretOptions, () => leadership.IsLeader, time, loggers);
            }

            default:
            {
                var (dns, ips) = LoopbackAndWebhookHost();
                return new SelfSignedCertificateSource(dns, ips, time, loggers.CreateLogger<SelfSignedCertificateSource>());
            }
        }
    }

    private IEnumerable<string> ServiceDnsNames(string @namespace)
    {
        var service = configuration["Webhook:ServiceName"];
        if (string.IsNullOrEmpty(service)) service = "jit-admission";
        return [service, $"{service}.{@namespace}", $"{service}.{@namespace}.svc", $"{service}.{@namespace}.svc.cluster.local"];
    }

    private (List<string> Dns, List<IPAddress> Ips) LoopbackAndWebhookHost()
    {
        List<string> dns = ["localhost"];
        List<IPAddress> ips = [IPAddress.Loopback, IPAddress.IPv6Loopback];
        if (WebhookHost() is { } host)
        {
            if (IPAddress.TryParse(host, out var ip)) { if (!ips.Contains(ip)) ips.Add(ip); }
            else if (!dns.Contains(host, StringComparer.OrdinalIgnoreCase)) dns.Add(host);
        }

        return (dns, ips);
    }

    /// <summary>The host of <c>Webhook:Url</c> (an IP address without brackets), or null.</summary>
    private string? WebhookHost() =>
        configuration["Webhook:Url"] is { Length: > 0 } url && Uri.TryCreate(url, UriKind.Absolute, out var uri) ? uri.Host.Trim('[', ']') : null;
}
