using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace JitAdmission.Kubernetes.Certificates;

/// <summary>
/// Issues the webhook's CA and serving certificates (ECDSA P-256) and converts them to and from PEM. Times come
/// from the <see cref="TimeProvider"/>; NotBefore is back-dated by <see cref="ClockSkew"/> so that an API server
/// whose clock is a little behind still accepts a brand-new certificate.
/// </summary>
public sealed class CertificateFactory(TimeProvider time)
{
    public static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(5);

    private static readonly Oid ServerAuth = new("1.3.6.1.5.5.7.3.1", "Server Authentication");

    public X509Certificate2 CreateCertificateAuthority(string commonName, TimeSpan lifetime)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(new X500DistinguishedName($"CN={Escape(commonName)}"), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: true, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign | X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        var now = time.GetUtcNow();
        return request.CreateSelfSigned(now - ClockSkew, now + lifetime);
    }

    /// <summary>A TLS server certificate for the given names and addresses, signed by <paramref name="issuer"/>
    /// (which must hold its private key). Its lifetime never extends past the issuer's.</summary>
    public X509Certificate2 CreateServingCertificate(X509Certificate2 issuer, IEnumerable<string> dnsNames, IEnumerable<IPAddress> ipAddresses, TimeSpan lifetime)
    {
        ArgumentNullException.ThrowIfNull(issuer);
        var names = dnsNames?.Where(n => !string.IsNullOrWhiteSpace(n)).Distinct(StringComparer.OrdinalIgnoreCase).ToList() ?? [];
        var ips = ipAddresses?.Distinct().ToList() ?? [];
        if (names.Count == 0 && ips.Count == 0) throw new ArgumentException("a serving certificate needs at least one DNS name or IP address");

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var subject = names.Count > 0 ? names[0] : ips[0].ToString();
        var request = new CertificateRequest(new X500DistinguishedName($"CN={Escape(subject)}"), key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        foreach (var name in names) san.AddDnsName(name);
        foreach (var ip in ips) san.AddIpAddress(ip);
        request.CertificateExtensions.Add(san.Build(critical: false));
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([ServerAuth], critical: false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(issuer, true, false));

        var now = time.GetUtcNow();
        var notBefore = Max(now - ClockSkew, new DateTimeOffset(issuer.NotBefore.ToUniversalTime()));
        var notAfter = Min(now + lifetime, new DateTimeOffset(issuer.NotAfter.ToUniversalTime()));
        using var unkeyed = request.Create(issuer, notBefore, notAfter, RandomSerial());
        return unkeyed.CopyWithPrivateKey(key);
    }

    public static string CertificatePem(X509Certificate2 certificate) => certificate.ExportCertificatePem() + "\n";

    public static string PrivateKeyPem(X509Certificate2 certificate)
    {
        using var key = certificate.GetECDsaPrivateKey() ?? throw new InvalidOperationException("the certificate has no ECDSA private key");
        return key.ExportPkcs8PrivateKeyPem() + "\n";
    }

    /// <summary>Loads a certificate with its key; throws <see cref="CryptographicException"/> when they do not belong together.</summary>
    public static X509Certificate2 FromPem(string certificatePem, string privateKeyPem)
    {
        try
        {
            return X509Certificate2.CreateFromPem(certificatePem, privateKeyPem);
        }
        catch (ArgumentException e)
        {
            // A mismatched or missing key surfaces as ArgumentException; callers handle one exception type.
            throw new CryptographicException(e.Message, e);
        }
    }

    /// <summary>Every certificate in a PEM bundle, in order.</summary>
    public static IReadOnlyList<X509Certificate2> ParseBundle(string pem)
    {
        var collection = new X509Certificate2Collection();
        if (!string.IsNullOrWhiteSpace(pem)) collection.ImportFromPem(pem);
        return [.. collection];
    }

    public static string BundlePem(IEnumerable<X509Certificate2> certificates) => string.Concat(certificates.Select(CertificatePem));

    /// <summary>True when <paramref name="leaf"/> chains to <paramref name="ca"/> (and only to it) at <paramref name="at"/>.</summary>
    public static bool IsIssuedBy(X509Certificate2 leaf, X509Certificate2 ca, DateTimeOffset at)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = at.UtcDateTime;
        chain.ChainPolicy.VerificationTimeIgnored = false;
        return chain.Build(leaf);
    }

    /// <summary>The DNS names and IP addresses in a certificate's subjectAltName.</summary>
    public static (IReadOnlyList<string> DnsNames, IReadOnlyList<IPAddress> IpAddresses) SubjectAlternativeNames(X509Certificate2 certificate)
    {
        var ext = certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().FirstOrDefault();
        return ext is null ? ([], []) : ([.. ext.EnumerateDnsNames()], [.. ext.EnumerateIPAddresses()]);
    }

    private static byte[] RandomSerial()
    {
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F; // positive, as RFC 5280 requires
        return serial;
    }

    private static string Escape(string value) => value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace(",", "\\,", StringComparison.Ordinal).Replace("+", "\\+", StringComparison.Ordinal).Replace("=", "\\=", StringComparison.Ordinal);

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;
}
