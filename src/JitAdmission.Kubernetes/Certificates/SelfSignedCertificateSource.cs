using System.Net;
using System.Security.Cryptography.X509Certificates;

namespace JitAdmission.Kubernetes.Certificates;

/// <summary>
/// An in-memory CA and serving certificate for out-of-cluster runs (the API server calls https://127.0.0.1:PORT):
/// the CA's PEM goes into the webhook configuration's caBundle. The serving certificate is re-issued from the same
/// CA at 2/3 of its lifetime; the CA outlives any such run and is not rotated.
/// </summary>
public sealed class SelfSignedCertificateSource : ICertificateSource, IDisposable
{
    private static readonly TimeSpan MaxTimerWait = TimeSpan.FromDays(1);

    private readonly CertificateFactory _factory;
    private readonly X509Certificate2 _ca;
    private readonly string[] _dnsNames;
    private readonly IPAddress[] _ipAddresses;
    private readonly TimeSpan _servingLifetime;
    private readonly TimeProvider _time;
    private readonly ITimer _renewal;
    private readonly ILogger _logger;
    private volatile X509Certificate2 _current;

    public SelfSignedCertificateSource(
        IEnumerable<string> dnsNames,
        IEnumerable<IPAddress> ipAddresses,
        TimeProvider time,
        ILogger<SelfSignedCertificateSource> logger,
        TimeSpan? servingLifetime = null,
        TimeSpan? caLifetime = null)
    {
        _logger = logger;
        _time = time;
        _factory = new CertificateFactory(_time);
        _dnsNames = [.. dnsNames];
        _ipAddresses = [.. ipAddresses];
        _servingLifetime = servingLifetime ?? TimeSpan.FromDays(365);
        _ca = _factory.CreateCertificateAuthority("jit-admission self-signed CA", caLifetime ?? TimeSpan.FromDays(3650));
        CaBundlePem = CertificateFactory.CertificatePem(_ca);
        _current = Issue();
        _renewal = _time.CreateTimer(_ => Renew(), null, RenewalDelay(), Timeout.InfiniteTimeSpan);
    }

    /// <summary>For a webhook on this machine: localhost, 127.0.0.1 and ::1.</summary>
    public static SelfSignedCertificateSource ForLoopback(TimeProvider time, ILogger<SelfSignedCertificateSource> logger) =>
        new(["localhost"], [IPAddress.Loopback, IPAddress.IPv6Loopback], time, logger);

    public X509Certificate2 Current => _current;

    public string CaBundlePem { get; }

    public X509Certificate2 CertificateAuthority => _ca;

    public event EventHandler? Changed;

    public void Dispose()
    {
        _renewal.Dispose();
        _ca.Dispose();
    }

    private X509Certificate2 Issue() => _factory.CreateServingCertificate(_ca, _dnsNames, _ipAddresses, _servingLifetime);

    private TimeSpan RenewalDelay()
    {
        var cert = _current;
        var renewAt = new DateTimeOffset(cert.NotBefore.ToUniversalTime()) + (cert.NotAfter - cert.NotBefore) * 2 / 3;
        var delay = renewAt - _time.GetUtcNow();
        // Timers cannot wait longer than ~49 days; wake at least daily and check.
        return delay < TimeSpan.Zero ? TimeSpan.Zero : delay > MaxTimerWait ? MaxTimerWait : delay;
    }

    private void Renew()
    {
        var cert = _current;
        if (_time.GetUtcNow() < new DateTimeOffset(cert.NotBefore.ToUniversalTime()) + (cert.NotAfter - cert.NotBefore) * 2 / 3)
        {
            _renewal.Change(RenewalDelay(), Timeout.InfiniteTimeSpan);
            return;
        }

        // The old certificate is not disposed: a handshake in flight may still use it.
        _current = Issue();
        _renewal.Change(RenewalDelay(), Timeout.InfiniteTimeSpan);
        try
        {
            Changed?.Invoke(this, EventArgs.Empty);
        }
        catch (Exception e)
        {
            CertificateLog.HandlerFailed(_logger, e);
        }
    }
}
