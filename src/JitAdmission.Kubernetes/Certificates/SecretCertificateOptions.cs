using System.Net;

namespace JitAdmission.Kubernetes.Certificates;

public sealed class SecretCertificateOptions
{
    /// <summary>The operator's namespace.</summary>
    public string Namespace { get; set; } = "";

    public string SecretName { get; set; } = "jit-admission-tls";

    /// <summary>Names the API server uses to reach the webhook, e.g. <c>svc.ns.svc</c> and <c>svc.ns.svc.cluster.local</c>.</summary>
    public IList<string> DnsNames { get; } = [];

    public IList<IPAddress> IpAddresses { get; } = [];

    public TimeSpan CaLifetime { get; set; } = TimeSpan.FromDays(5 * 365);

    public TimeSpan ServingLifetime { get; set; } = TimeSpan.FromDays(90);

    /// <summary>Certificates are replaced once this fraction of their lifetime has passed.</summary>
    public double RenewAtFraction { get; set; } = 2.0 / 3.0;

    /// <summary>
    /// During a CA rotation, how long the new CA is only trusted (in caBundle) before it starts signing the serving
    /// certificate, so every API server trusts it before any replica serves a certificate issued by it.
    /// </summary>
    public TimeSpan CaPropagationDelay { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How often the leader checks whether something is due.</summary>
    public TimeSpan CheckInterval { get; set; } = TimeSpan.FromMinutes(1);
}
