using System.Security.Cryptography.X509Certificates;

namespace JitAdmission.Integration.Tests.Infrastructure;

/// <summary>The sandbox's PEM certificates and keys, as the test servers and clients use them.</summary>
public static class PemCertificate
{
    /// <summary>
    /// A certificate with its private key from PEM files, round-tripped through PKCS#12: a key loaded from PEM is
    /// ephemeral, which TLS on some platforms refuses for a server or client certificate.
    /// </summary>
    public static X509Certificate2 Load(string certificateFile, string keyFile)
    {
        using var pem = X509Certificate2.CreateFromPemFile(certificateFile, keyFile);
        return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
    }
}
