using System.Security.Cryptography.X509Certificates;
using JitAdmission.Kubernetes.Certificates;

namespace JitAdmission.Webhook.Tests.Infrastructure;

/// <summary>A certificate source whose certificate the test swaps, as a rotation would.</summary>
public sealed class MutableCertificateSource(X509Certificate2 current, string caBundlePem) : ICertificateSource
{
    private X509Certificate2 _current = current;

    public X509Certificate2 Current => Volatile.Read(ref _current);

    public string CaBundlePem { get; } = caBundlePem;

    public event EventHandler? Changed;

    public void Rotate(X509Certificate2 next)
    {
        Volatile.Write(ref _current, next);
        Changed?.Invoke(this, EventArgs.Empty);
    }
}
