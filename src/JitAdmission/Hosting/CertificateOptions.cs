using JitAdmission.Kubernetes.Certificates;

namespace JitAdmission.Hosting;

public enum CertificateMode
{
    /// <summary>Files when given, a Secret in a cluster, self-signed out of cluster.</summary>
    Auto,
    Files,
    Secret,
    SelfSigned,
}

/// <summary>Where the webhook's serving certificate comes from; configuration section <c>Certificates</c>.</summary>
public sealed class CertificateOptions
{
    public const string SectionName = "Certificates";

    public CertificateMode Mode { get; set; } = CertificateMode.Auto;
    public string? CertFile { get; set; }
    public string? KeyFile { get; set; }
    public string? CaFile { get; set; }
    public string SecretName { get; set; } = "jit-admission-tls";

    /// <summary>Secret mode: how long a serving certificate the leader issues is valid; it is replaced at two thirds of it.</summary>
    public TimeSpan ServingLifetime { get; set; } = new SecretCertificateOptions().ServingLifetime;

    /// <summary>Secret mode: how often the leader checks whether a certificate is due (a Secret edited away is restored then).</summary>
    public TimeSpan CheckInterval { get; set; } = new SecretCertificateOptions().CheckInterval;

    public CertificateMode Resolve(bool inCluster) => Mode switch
    {
        CertificateMode.Auto when !string.IsNullOrEmpty(CertFile) => CertificateMode.Files,
        CertificateMode.Auto => inCluster ? CertificateMode.Secret : CertificateMode.SelfSigned,
        _ => Mode,
    };
}
