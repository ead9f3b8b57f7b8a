using System.Security.Cryptography.X509Certificates;

namespace JitAdmission.Kubernetes.Certificates;

/// <summary>
/// What the certificate Secret should hold next, as a pure function of what it holds, the options and the time.
/// CA rotation is two-phase: a new CA is first added to the trust bundle only; after the propagation delay it
/// starts signing the serving certificate; the old CA stays trusted until it expires.
/// </summary>
internal static class CertificateRotation
{
    /// <summary>The next state and what changed, or null when nothing is due.</summary>
    public static (StoredCertificates Next, IReadOnlyList<string> Actions)? Plan(StoredCertificates stored, SecretCertificateOptions options, CertificateFactory factory, DateTimeOffset now)
    {
        var actions = new List<string>();
        var signing = stored.Signing;
        var next = stored.Next;
        var nextSince = next is null ? null : stored.NextSince;
        var reissue = false;

        if (signing is null || signing.NotAfter.ToUniversalTime() <= now.UtcDateTime)
        {
            signing = NewCa(factory, options, now);
            next = null;
            nextSince = null;
            reissue = true;
            actions.Add("created a CA");
        }
        else if (next is not null && (nextSince is null || now >= nextSince + options.CaPropagationDelay))
        {
            signing = next;
            next = null;
            nextSince = null;
            reissue = true;
            actions.Add("the new CA now signs the serving certificate");
        }
        else if (next is null && now >= RenewPoint(signing, options.RenewAtFraction))
        {
            next = NewCa(factory, options, now);
            nextSince = now;
            actions.Add("added a new CA to the trust bundle");
        }

        var serving = stored.Serving;
        if (reissue || serving is null || !CertificateFactory.IsIssuedBy(serving, signing, now) || !NamesMatch(serving, options) || now >= RenewPoint(serving, options.RenewAtFraction))
        {
            serving = factory.CreateServingCertificate(signing, options.DnsNames, options.IpAddresses, options.ServingLifetime);
            actions.Add($"issued a serving certificate valid until {serving.NotAfter.ToUniversalTime():u}");
        }

        var trusted = stored.Trusted.Append(signing).Concat(next is null ? [] : [next])
            .Where(c => c.NotAfter.ToUniversalTime() > now.UtcDateTime)
            .DistinctBy(c => c.Thumbprint)
            .OrderBy(c => c.NotBefore)
            .ToList();
        if (!trusted.Select(c => c.Thumbprint).SequenceEqual(stored.Trusted.Select(c => c.Thumbprint)))
            actions.Add($"trust bundle now holds {trusted.Count} CA(s)");

        return actions.Count == 0 ? null : (new StoredCertificates(signing, next, nextSince, serving, trusted), actions);
    }

    public static DateTimeOffset RenewPoint(X509Certificate2 certificate, double fraction)
    {
        var notBefore = new DateTimeOffset(certificate.NotBefore.ToUniversalTime());
        return notBefore + (certificate.NotAfter - certificate.NotBefore) * fraction;
    }

    private static X509Certificate2 NewCa(CertificateFactory factory, SecretCertificateOptions options, DateTimeOffset now) =>
        factory.CreateCertificateAuthority($"jit-admission CA {now.UtcDateTime:yyyy-MM-dd HH:mm}", options.CaLifetime);

    private static bool NamesMatch(X509Certificate2 serving, SecretCertificateOptions options)
    {
        var (dns, ips) = CertificateFactory.SubjectAlternativeNames(serving);
        return dns.ToHashSet(StringComparer.OrdinalIgnoreCase).SetEquals(options.DnsNames)
            && ips.ToHashSet().SetEquals(options.IpAddresses);
    }
}
