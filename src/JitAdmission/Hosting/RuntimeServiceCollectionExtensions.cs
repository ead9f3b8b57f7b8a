using System.Net;
using JitAdmission.Kubernetes.Api;
using JitAdmission.Kubernetes.Audit;
using JitAdmission.Kubernetes.Certificates;
using JitAdmission.Kubernetes.Client;
using JitAdmission.Kubernetes.Events;
using JitAdmission.Kubernetes.Leadership;
using JitAdmission.Kubernetes.Runtime;
using JitAdmission.Webhook;
using k8s;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

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
        services.PostConfigure<WebhookOptions>(o => DefaultListenUrl(o, configuration));

        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(sp => KubernetesClientFactory.Create(sp.GetRequiredService<IOptions<KubernetesClientOptions>>().Value));
        services.AddSingleton(sp => new JitClient(sp.GetRequiredService<IKubernetes>()));
        services.AddSingleton(sp => new OperatorIdentity { Namespace = sp.GetRequiredService<IOptions<OperatorOptions>>().Value.ResolveNamespace() });
        services.AddSingleton<ClusterCaches>();
        services.AddSingleton<AuditLog>();
        services.AddSingleton(sp => new PolicySetProvider(sp.GetRequiredService<ClusterCaches>().Policies));
        services.AddSingleton(sp => new EventRecorder(
            sp.GetRequiredService<IKubernetes>(),
            new EventRecorderOptions { Instance = LeaderElection.DefaultIdentity() },
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<EventRecorder>>()));
        services.AddSingleton<IEventRecorder>(sp => sp.GetRequiredService<EventRecorder>());
        services.AddSingleton(sp => CreateCertificateSource(sp, configuration));
        AddLeadership(services, configuration);

        // Start order matters: identity first (the guard needs it), then the caches the handlers read.
        services.AddHostedService<IdentityResolver>();
        services.AddHostedService<OperatorNamespaceEnsurer>();
        services.AddHostedService<CacheRunner>();
        services.AddHostedService<CertificateRunner>();
        services.AddHostedService<EventRunner>();

        services.AddReadinessCheck("identity", sp => sp.GetRequiredService<OperatorIdentity>().IsResolved ? null : "operator identity not resolved");
        services.AddReadinessCheck("caches", sp => sp.GetRequiredService<ClusterCaches>().NotSyncedReason());
        services.AddReadinessCheck("certificate", sp => sp.GetRequiredService<ICertificateSource>() is SecretCertificateSource { IsReady: false }
            ? "serving certificate not loaded from its Secret yet" : null);
        return services;
    }

    private static void AddLeadership(IServiceCollection services, IConfiguration configuration)
    {
        if (configuration.GetValue("LeaderElection:Enabled", defaultValue: true))
        {
            services.AddSingleton(sp => new LeaderElection(
                sp.GetRequiredService<IKubernetes>(),
                sp.GetRequiredService<IOptions<LeaderElectionOptions>>().Value,
                sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<ILogger<LeaderElection>>()));
            services.AddSingleton<ILeadership>(sp => new LeaseLeadership(sp.GetRequiredService<LeaderElection>()));
            services.AddHostedService<LeaderElectionRunner>();
        }
        else
        {
            services.AddSingleton<ILeadership>(sp => new SoleLeadership(sp.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping));
        }
    }

    private static ICertificateSource CreateCertificateSource(IServiceProvider sp, IConfiguration configuration)
    {
        var options = sp.GetRequiredService<IOptions<CertificateOptions>>().Value;
        var clientOptions = sp.GetRequiredService<IOptions<KubernetesClientOptions>>().Value;
        var inCluster = string.IsNullOrEmpty(clientOptions.Kubeconfig) && KubernetesClientConfiguration.IsInCluster();
        var mode = options.Resolve(inCluster);
        var time = sp.GetRequiredService<TimeProvider>();
        var loggers = sp.GetRequiredService<ILoggerFactory>();
        HostLog.Certificates(loggers.CreateLogger("JitAdmission.Hosting"), mode);
        switch (mode)
        {
            case CertificateMode.Files:
                if (string.IsNullOrEmpty(options.CertFile) || string.IsNullOrEmpty(options.KeyFile))
                    throw new OptionsValidationException(CertificateOptions.SectionName, typeof(CertificateOptions), ["Certificates: Files mode needs --tls-cert-file and --tls-key-file"]);
                return new FileCertificateSource(options.CertFile, options.KeyFile, options.CaFile, time, logger: loggers.CreateLogger<FileCertificateSource>());
            case CertificateMode.Secret:
            {
                var identity = sp.GetRequiredService<OperatorIdentity>();
                var secretOptions = new SecretCertificateOptions { Namespace = identity.Namespace, SecretName = options.SecretName };
                foreach (var name in ServiceDnsNames(configuration, identity.Namespace)) secretOptions.DnsNames.Add(name);
                // Out of cluster with the chart's Secret: the API server calls --webhook-url, so its host must be in the certificate too.
                if (WebhookHost(configuration) is { } host)
                {
                    if (IPAddress.TryParse(host, out var ip)) secretOptions.IpAddresses.Add(ip);
                    else if (!secretOptions.DnsNames.Contains(host, StringComparer.OrdinalIgnoreCase)) secretOptions.DnsNames.Add(host);
                }
                var leadership = sp.GetRequiredService<ILeadership>();
                return new SecretCertificateSource(sp.GetRequiredService<IKubernetes>(), secretOptions, () => leadership.IsLeader, time, loggers);
            }

            default:
            {
                var (dns, ips) = LoopbackAndWebhookHost(configuration);
                return new SelfSignedCertificateSource(dns, ips, time, logger: loggers.CreateLogger<SelfSignedCertificateSource>());
            }
        }
    }

    /// <summary>Out of cluster Kestrel listens where the API server is told to call, unless told otherwise.</summary>
    private static void DefaultListenUrl(WebhookOptions options, IConfiguration configuration)
    {
        if (configuration["Webhook:ListenUrl"] is { Length: > 0 }) return;
        if (configuration["Webhook:Url"] is { Length: > 0 } url && Uri.TryCreate(url, UriKind.Absolute, out var uri))
            options.ListenUrl = $"https://{uri.Authority}";
    }

    private static IEnumerable<string> ServiceDnsNames(IConfiguration configuration, string @namespace)
    {
        var service = configuration["Webhook:ServiceName"];
        if (string.IsNullOrEmpty(service)) service = "jit-admission";
        return [service, $"{service}.{@namespace}", $"{service}.{@namespace}.svc", $"{service}.{@namespace}.svc.cluster.local"];
    }

    private static (List<string> Dns, List<IPAddress> Ips) LoopbackAndWebhookHost(IConfiguration configuration)
    {
        List<string> dns = ["localhost"];
        List<IPAddress> ips = [IPAddress.Loopback, IPAddress.IPv6Loopback];
        if (WebhookHost(configuration) is { } host)
        {
            if (IPAddress.TryParse(host, out var ip)) { if (!ips.Contains(ip)) ips.Add(ip); }
            else if (!dns.Contains(host, StringComparer.OrdinalIgnoreCase)) dns.Add(host);
        }

        return (dns, ips);
    }

    /// <summary>The host of <c>Webhook:Url</c> (an IP address without brackets), or null.</summary>
    private static string? WebhookHost(IConfiguration configuration) =>
        configuration["Webhook:Url"] is { Length: > 0 } url && Uri.TryCreate(url, UriKind.Absolute, out var uri) ? uri.Host.Trim('[', ']') : null;
}
