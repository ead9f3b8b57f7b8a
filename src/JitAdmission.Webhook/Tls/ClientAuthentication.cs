using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace JitAdmission.Webhook;

/// <summary>Why a caller of an admission path was refused before its body was read.</summary>
public sealed record ClientRefusal(int Status, string Label, string Message);

/// <summary>
/// Who may call the admission paths: with <see cref="WebhookOptions.ClientCaFile"/> set, only a caller presenting a
/// client certificate that chains to that CA (the API server's, from its <c>AdmissionConfiguration</c>), and, when
/// <see cref="WebhookOptions.ClientSubjects"/> lists any, one with an allowed subject. The TLS handshake asks for a
/// certificate without requiring one (kubelet probes of <c>/readyz</c> have none); this check runs per request on the
/// admission paths only, before the body is read. A certificate's verdict is kept for its connection (the API server
/// keeps connections open), and the CA file is re-read when it changes (a rotated Secret).
/// </summary>
public sealed class ClientAuthentication
{
    private static readonly Oid ClientAuthUsage = new("1.3.6.1.5.5.7.3.2");
    private static readonly TimeSpan ReloadCheckInterval = TimeSpan.FromSeconds(10);

    private readonly string? _caFile;
    private readonly HashSet<string> _subjects;
    private readonly TimeProvider _time;
    private readonly ConditionalWeakTable<X509Certificate2, Verdict> _verdicts = [];
    private readonly Lock _reload = new();
    private volatile Trust _trust;

    public ClientAuthentication(IOptions<WebhookOptions> options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        _caFile = options.Value.ClientCaFile is { Length: > 0 } file ? file : null;
        _subjects = new HashSet<string>(options.Value.ClientSubjects.Where(s => s.Length > 0), StringComparer.Ordinal);
        _time = time;
        // A CA file that cannot be read stops the process at start: serving without it would silently drop the check.
        _trust = _caFile is null ? Trust.None : Trust.Load(_caFile, time.GetUtcNow());
    }

    /// <summary>Whether callers must authenticate (a CA file is configured).</summary>
    public bool IsRequired => _caFile is not null;

    /// <summary>Null when <paramref name="certificate"/> may call the admission paths; else why not.</summary>
    public ClientRefusal? Check(X509Certificate2? certificate)
    {
        if (_caFile is null) return null;
        if (certificate is null)
            return new ClientRefusal(401, "no_client_certificate",
                "a client certificate is required: only the Kubernetes API server may call this webhook (see docs/threat-model.md)");
        var trust = CurrentTrust();
        var now = _time.GetUtcNow();
        if (!_verdicts.TryGetValue(certificate, out var verdict) || !ReferenceEquals(verdict.Authorities, trust.Authorities))
        {
            verdict = Verify(certificate, trust, now);
            _verdicts.AddOrUpdate(certificate, verdict);
        }

        if (!verdict.Chains)
            return new ClientRefusal(401, "untrusted_client_certificate",
                $"the client certificate \"{certificate.Subject}\" is not signed by the webhook client CA: only the Kubernetes API server may call this webhook");
        if (now < verdict.NotBefore || now >= verdict.NotAfter)
            return new ClientRefusal(401, "expired_client_certificate", $"the client certificate \"{certificate.Subject}\" is not valid now (from {verdict.NotBefore:u} to {verdict.NotAfter:u})");
        if (_subjects.Count > 0 && !_subjects.Contains(verdict.CommonName))
            return new ClientRefusal(403, "client_subject_not_allowed",
                $"the client certificate's subject \"{verdict.CommonName}\" is not among the allowed webhook clients");
        return null;
    }

    private Trust CurrentTrust()
    {
        var trust = _trust;
        var now = _time.GetUtcNow();
        if (now - trust.CheckedAt < ReloadCheckInterval) return trust;
        lock (_reload)
        {
            trust = _trust;
            if (now - trust.CheckedAt < ReloadCheckInterval) return trust;
            try
            {
                var written = File.GetLastWriteTimeUtc(_caFile!);
                _trust = trust = written == trust.Written ? trust with { CheckedAt = now } : Trust.Load(_caFile!, now);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException)
            {
                // Mid-rotation (a Secret's files are swapped by symlink): keep the CA we have and look again later.
                _trust = trust = trust with { CheckedAt = now };
            }
        }

        return trust;
    }

    private static Verdict Verify(X509Certificate2 certificate, Trust trust, DateTimeOffset now)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(trust.Authorities);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ApplicationPolicy.Add(ClientAuthUsage);
        // Validity is checked per request against the clock; the chain only answers "signed by our CA".
        chain.ChainPolicy.VerificationFlags = X509VerificationFlags.IgnoreNotTimeValid;
        chain.ChainPolicy.VerificationTime = now.UtcDateTime;
        var chains = trust.Authorities.Count > 0 && chain.Build(certificate);
        return new Verdict(trust.Authorities, chains, certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false),
            new DateTimeOffset(certificate.NotBefore.ToUniversalTime()), new DateTimeOffset(certificate.NotAfter.ToUniversalTime()));
    }

    private sealed record Verdict(X509Certificate2Collection Authorities, bool Chains, string CommonName, DateTimeOffset NotBefore, DateTimeOffset NotAfter);

    private sealed record Trust(X509Certificate2Collection Authorities, DateTime Written, DateTimeOffset CheckedAt)
    {
        public static readonly Trust None = new([], DateTime.MinValue, DateTimeOffset.MaxValue);

        public static Trust Load(string file, DateTimeOffset now)
        {
            var authorities = new X509Certificate2Collection();
            authorities.ImportFromPemFile(file);
            if (authorities.Count == 0) throw new InvalidOperationException($"Webhook:ClientCaFile {file} holds no certificate");
            return new Trust(authorities, File.GetLastWriteTimeUtc(file), now);
        }
    }
}
