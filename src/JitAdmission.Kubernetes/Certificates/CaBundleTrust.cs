using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace JitAdmission.Kubernetes.Certificates;

/// <summary>
/// Whether a webhook's <c>caBundle</c> lets the API server verify the certificate a replica serves: the same check the
/// API server makes (a chain to one of the bundle's certificates, valid now), so a wrong or stale bundle is found
/// before, or while, the API server refuses the handshake.
/// </summary>
public static class CaBundleTrust
{
    /// <summary>Null when <paramref name="caBundle"/> (PEM) verifies <paramref name="serving"/> at <paramref name="now"/>; else why not.</summary>
    public static string? Problem(X509Certificate2 serving, ReadOnlySpan<byte> caBundle, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(serving);
        if (serving.NotAfter.ToUniversalTime() <= now.UtcDateTime)
            return string.Create(CultureInfo.InvariantCulture, $"the serving certificate ({serving.Subject}) expired at {serving.NotAfter.ToUniversalTime():u}");
        if (caBundle.IsEmpty) return "the caBundle is empty";

        var trusted = new X509Certificate2Collection();
        try
        {
            trusted.ImportFromPem(System.Text.Encoding.UTF8.GetString(caBundle));
        }
        catch (CryptographicException e)
        {
            return "the caBundle is not PEM certificates: " + e.Message;
        }

        if (trusted.Count == 0) return "the caBundle holds no certificate";
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(trusted);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = now.UtcDateTime;
        try
        {
            if (chain.Build(serving)) return null;
            var status = string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation.Trim()).Where(s => s.Length > 0).Distinct(StringComparer.Ordinal));
            return $"the caBundle ({string.Join(", ", trusted.Select(c => c.Subject))}) does not verify the serving certificate ({serving.Subject}, issued by {serving.Issuer}): {status}";
        }
        finally
        {
            foreach (var element in chain.ChainElements) element.Certificate.Dispose();
            foreach (var certificate in trusted) certificate.Dispose();
        }
    }
}
