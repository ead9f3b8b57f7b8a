using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace JitAdmission.Kubernetes.Certificates;

/// <summary>
/// The certificate state kept in the Secret: the signing CA, an optional next CA (only trusted until it is promoted),
/// the serving certificate and the trust bundle (<c>ca.crt</c>, what goes into caBundle). Unreadable parts parse as
/// missing, so a damaged Secret is repaired rather than fatal.
/// </summary>
internal sealed record StoredCertificates(
    X509Certificate2? Signing,
    X509Certificate2? Next,
    DateTimeOffset? NextSince,
    X509Certificate2? Serving,
    IReadOnlyList<X509Certificate2> Trusted)
{
    public const string ServingCert = "tls.crt";
    public const string ServingKey = "tls.key";
    public const string TrustBundle = "ca.crt";
    public const string SigningCert = "ca-signing.crt";
    public const string SigningKey = "ca-signing.key";
    public const string NextCert = "ca-next.crt";
    public const string NextKey = "ca-next.key";
    public const string NextSinceAnnotation = ApiConstants.Group + "/ca-next-since";

    public static StoredCertificates Parse(V1Secret? secret)
    {
        var data = secret?.Data ?? new Dictionary<string, byte[]>();
        string? nextSinceText = null;
        secret?.Metadata?.Annotations?.TryGetValue(NextSinceAnnotation, out nextSinceText);
        DateTimeOffset? nextSince = DateTimeOffset.TryParse(nextSinceText, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var since) ? since : null;
        IReadOnlyList<X509Certificate2> trusted;
        try
        {
            trusted = CertificateFactory.ParseBundle(Text(data, TrustBundle) ?? "");
        }
        catch (CryptographicException)
        {
            trusted = [];
        }

        return new StoredCertificates(Pair(data, SigningCert, SigningKey), Pair(data, NextCert, NextKey), nextSince, Pair(data, ServingCert, ServingKey), trusted);
    }

    public V1Secret ToSecret(string @namespace, string name, V1Secret? existing)
    {
        var data = new Dictionary<string, byte[]>
        {
            [ServingCert] = Pem(CertificateFactory.CertificatePem(Serving!)),
            [ServingKey] = Pem(CertificateFactory.PrivateKeyPem(Serving!)),
            [TrustBundle] = Pem(CertificateFactory.BundlePem(Trusted)),
            [SigningCert] = Pem(CertificateFactory.CertificatePem(Signing!)),
            [SigningKey] = Pem(CertificateFactory.PrivateKeyPem(Signing!)),
        };
        if (Next is not null)
        {
            data[NextCert] = Pem(CertificateFactory.CertificatePem(Next));
            data[NextKey] = Pem(CertificateFactory.PrivateKeyPem(Next));
        }

        var metadata = existing?.Metadata ?? new V1ObjectMeta { Name = name, NamespaceProperty = @namespace };
        metadata.Labels ??= new Dictionary<string, string>();
        // Only on a Secret we create: one the Helm chart created carries Helm's managed-by label, and changing
        // it would make Helm's next server-side apply fail with a field conflict.
        metadata.Labels.TryAdd("app.kubernetes.io/managed-by", ApiConstants.FieldManager);
        metadata.Annotations ??= new Dictionary<string, string>();
        if (NextSince is { } t) metadata.Annotations[NextSinceAnnotation] = t.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        else metadata.Annotations.Remove(NextSinceAnnotation);
        return new V1Secret { ApiVersion = "v1", Kind = "Secret", Metadata = metadata, Type = "kubernetes.io/tls", Data = data };
    }

    private static X509Certificate2? Pair(IDictionary<string, byte[]> data, string certKey, string keyKey)
    {
        var cert = Text(data, certKey);
        var key = Text(data, keyKey);
        if (cert is null || key is null) return null;
        try
        {
            return CertificateFactory.FromPem(cert, key);
        }
        catch (CryptographicException)
        {
            return null;
        }
    }

    private static string? Text(IDictionary<string, byte[]> data, string key) =>
        data.TryGetValue(key, out var bytes) && bytes is { Length: > 0 } ? Encoding.ASCII.GetString(bytes) : null;

    private static byte[] Pem(string text) => Encoding.ASCII.GetBytes(text);
}
