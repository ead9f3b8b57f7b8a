using JitAdmission.Kubernetes.Certificates;
using Prometheus;

namespace JitAdmission.Webhook;

/// <summary>
/// <c>jitadmission_serving_certificate_expiry_timestamp_seconds</c>: the notAfter of the certificate this replica serves,
/// set when it is loaded and on every reload (<see cref="ICertificateSource.Changed"/>), so an alert sees a renewal that
/// did not happen — or did not reach this replica — before the API server refuses the handshake.
/// </summary>
public sealed class ServingCertificateMetrics : IDisposable
{
    private readonly ICertificateSource _source;
    private readonly Gauge _expiry;

    public ServingCertificateMetrics(CollectorRegistry registry, ICertificateSource source)
    {
        ArgumentNullException.ThrowIfNull(registry);
        _source = source ?? throw new ArgumentNullException(nameof(source));
        _expiry = Metrics.WithCustomRegistry(registry).CreateGauge("jitadmission_serving_certificate_expiry_timestamp_seconds",
            "When the serving certificate this replica presents expires (notAfter), in seconds since the Unix epoch.",
            new GaugeConfiguration { SuppressInitialValue = true });
        _source.Changed += OnChanged;
        // The Secret-backed source loads after start (its Changed event reports it); the others have a certificate already.
        if (source is not SecretCertificateSource { IsReady: false }) Update();
    }

    public void Dispose() => _source.Changed -= OnChanged;

    private void OnChanged(object? sender, EventArgs e) => Update();

    private void Update() => _expiry.Set(new DateTimeOffset(_source.Current.NotAfter.ToUniversalTime()).ToUnixTimeSeconds());
}
