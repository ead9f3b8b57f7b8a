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

    public CertificateMode Resolve(bool inCluster) => Mode switch
    {
        CertificateMode.Auto when !string.IsNullOrEmpty(CertFile) => CertificateMode.Files,
        CertificateMode.Auto => inCluster ? CertificateMode.Secret : CertificateMode.SelfSigned,
        _ => Mode,
    };
}
