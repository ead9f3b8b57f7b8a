using System.Security.Cryptography.X509Certificates;

namespace JitAdmission.Kubernetes.Certificates;

/// <summary>
/// The webhook's current serving certificate (with private key) and the CA bundle clients should trust.
/// Implementations: files (cert-manager, kube-sandbox), a self-signed pair for out-of-cluster runs, and a
/// Secret-backed self-managed CA with rotation. Kestrel asks for <see cref="Current"/> on every handshake,
/// so a rotation is picked up without a restart.
/// </summary>
public interface ICertificateSource
{
    X509Certificate2 Current { get; }

    /// <summary>PEM of the CA certificate(s) to put in the webhook configuration's caBundle.</summary>
    string CaBundlePem { get; }

    /// <summary>Raised after <see cref="Current"/> or <see cref="CaBundlePem"/> changed.</summary>
    event EventHandler? Changed;
}
