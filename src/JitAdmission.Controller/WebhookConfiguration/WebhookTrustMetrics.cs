using Prometheus;

namespace JitAdmission.Controller.WebhookConfiguration;

/// <summary>
/// Whether the API server can verify this replica: <c>jitadmission_webhook_ca_bundle_trusted</c> (1 when the caBundle
/// of every jit-admission webhook verifies the certificate this replica serves, 0 when one does not or the certificate
/// expired; absent until first checked) and <c>jitadmission_webhook_ca_bundle_repairs_total</c> (the leader found a
/// caBundle that did not verify the serving certificate and restored it).
/// </summary>
public sealed class WebhookTrustMetrics
{
    private readonly Gauge _trusted;
    private readonly Counter _repairs;

    public WebhookTrustMetrics(CollectorRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        var factory = Metrics.WithCustomRegistry(registry);
        _trusted = factory.CreateGauge("jitadmission_webhook_ca_bundle_trusted",
            "1 when the caBundle of every jit-admission webhook verifies the serving certificate of this replica (and it has not expired), else 0.",
            new GaugeConfiguration { SuppressInitialValue = true });
        _repairs = factory.CreateCounter("jitadmission_webhook_ca_bundle_repairs_total",
            "caBundles the leader found not verifying the serving certificate and restored, per webhook configuration kind.",
            new CounterConfiguration { LabelNames = ["kind"] });
    }

    public void Trusted(bool trusted) => _trusted.Set(trusted ? 1 : 0);

    public void Repaired(string kind) => _repairs.WithLabels(kind).Inc();
}
