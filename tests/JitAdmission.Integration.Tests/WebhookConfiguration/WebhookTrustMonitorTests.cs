using System.Net;
using JitAdmission.Controller.WebhookConfiguration;
using JitAdmission.Integration.Tests.Infrastructure;
using JitAdmission.Kubernetes.Api;
using JitAdmission.Kubernetes.Certificates;
using JitAdmission.Kubernetes.Events;
using JitAdmission.Kubernetes.Tests.Support;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Prometheus;

namespace JitAdmission.Integration.Tests.WebhookConfiguration;

/// <summary>
/// A replica checks that the caBundle in the live ValidatingWebhookConfiguration verifies the certificate it serves, and
/// reports when it does not (Warning Event on the configuration, gauge 0, log) and when it does again.
/// </summary>
public sealed class WebhookTrustMonitorTests(KubeSandbox sandbox) : IClassFixture<KubeSandbox>, IAsyncLifetime
{
    private readonly IKubernetes _admin = sandbox.AdminClient();
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly string _dir = Directory.CreateTempSubdirectory("trust").FullName;
    private readonly string _name = "trust-" + Guid.NewGuid().ToString("N")[..6];
    private X509Pair _right = null!;
    private X509Pair _wrong = null!;

    private sealed record X509Pair(string CaPem, string CertFile, string KeyFile);

    public async Task InitializeAsync()
    {
        _right = Issue("right");
        _wrong = Issue("wrong");
        await _admin.AdmissionregistrationV1.CreateValidatingWebhookConfigurationAsync(new V1ValidatingWebhookConfiguration
        {
            Metadata = new V1ObjectMeta { Name = _name },
            Webhooks =
            [
                // Rules that match nothing a test does: only the caBundle matters here.
                new V1ValidatingWebhook
                {
                    Name = WebhookNames.Gate, AdmissionReviewVersions = ["v1"], SideEffects = "None", FailurePolicy = "Ignore",
                    ClientConfig = new Admissionregistrationv1WebhookClientConfig { Url = "https://127.0.0.1:1/validate", CaBundle = Bytes(_wrong.CaPem) },
                    Rules = [new V1RuleWithOperations { ApiGroups = ["example.com"], ApiVersions = ["v1"], Operations = ["CREATE"], Resources = ["nothings"] }],
                },
            ],
        });
    }

    public async Task DisposeAsync()
    {
        await _admin.AdmissionregistrationV1.DeleteValidatingWebhookConfigurationAsync(_name);
        _admin.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private X509Pair Issue(string name)
    {
        var factory = new CertificateFactory(_time);
        using var ca = factory.CreateCertificateAuthority($"{name} CA", TimeSpan.FromDays(365));
        using var serving = factory.CreateServingCertificate(ca, ["jit.svc"], [IPAddress.Loopback], TimeSpan.FromDays(30));
        var cert = Path.Combine(_dir, $"{name}.crt");
        var key = Path.Combine(_dir, $"{name}.key");
        File.WriteAllText(cert, serving.ExportCertificatePem());
        File.WriteAllText(key, CertificateFactory.PrivateKeyPem(serving));
        return new X509Pair(ca.ExportCertificatePem(), cert, key);
    }

    private static byte[] Bytes(string pem) => System.Text.Encoding.ASCII.GetBytes(pem);

    private async Task SetBundleAsync(string pem)
    {
        var configuration = await _admin.AdmissionregistrationV1.ReadValidatingWebhookConfigurationAsync(_name);
        configuration.Webhooks[0].ClientConfig.CaBundle = Bytes(pem);
        await _admin.AdmissionregistrationV1.ReplaceValidatingWebhookConfigurationAsync(configuration, _name);
    }

    private async Task<IList<Corev1Event>> EventsAsync(string reason) =>
        (await _admin.CoreV1.ListNamespacedEventAsync("default", fieldSelector: $"involvedObject.name={_name},reason={reason}")).Items;

    [Fact]
    public async Task A_bundle_that_does_not_verify_the_served_certificate_is_reported_once_and_its_repair_too()
    {
        using var source = new FileCertificateSource(_right.CertFile, _right.KeyFile, null, _time, NullLogger<FileCertificateSource>.Instance, watchFileSystem: false);
        var registry = new CollectorRegistry();
        var recorder = new EventRecorder(_admin, Microsoft.Extensions.Options.Options.Create(new EventRecorderOptions()), _time, NullLogger<EventRecorder>.Instance);
        await using var sending = Running.Start(recorder.RunAsync);
        var monitor = new WebhookTrustMonitor(new JitClient(_admin), source, recorder, new WebhookTrustMetrics(registry),
            Microsoft.Extensions.Options.Options.Create(new WebhookConfigurationOptions { ConfigurationName = _name }), _time, NullLogger<WebhookTrustMonitor>.Instance);

        var problem = await monitor.CheckAsync(default);
        Assert.Contains("gate.jitadmission.io: the caBundle (CN=wrong CA) does not verify the serving certificate", problem, StringComparison.Ordinal);
        Assert.Equal(0, await GaugeAsync(registry));
        await Poll.UntilAsync(async () => (await EventsAsync(WebhookTrustMonitor.MismatchReason)).Count == 1, TimeSpan.FromSeconds(10), "a Warning Event");
        Assert.Equal("Warning", (await EventsAsync(WebhookTrustMonitor.MismatchReason))[0].Type);

        // Still wrong: no second Event. Then right: a Normal Event, and the gauge says so.
        Assert.NotNull(await monitor.CheckAsync(default));
        await SetBundleAsync(_right.CaPem);
        Assert.Null(await monitor.CheckAsync(default));
        Assert.Equal(1, await GaugeAsync(registry));
        await Poll.UntilAsync(async () => (await EventsAsync(WebhookTrustMonitor.TrustedReason)).Count == 1, TimeSpan.FromSeconds(10), "a Normal Event");
        Assert.Equal(1, (await EventsAsync(WebhookTrustMonitor.MismatchReason)).Sum(e => e.Count ?? 1));

        // The certificate expires (nobody renewed it): the API server would refuse it, so it is reported at once.
        _time.Advance(TimeSpan.FromDays(31));
        Assert.Contains("expired at", await monitor.CheckAsync(default), StringComparison.Ordinal);
        Assert.Equal(0, await GaugeAsync(registry));
    }

    private static async Task<double> GaugeAsync(CollectorRegistry registry)
    {
        using var stream = new MemoryStream();
        await registry.CollectAndExportAsTextAsync(stream);
        var line = System.Text.Encoding.UTF8.GetString(stream.ToArray()).Split('\n').Single(l => l.StartsWith("jitadmission_webhook_ca_bundle_trusted ", StringComparison.Ordinal));
        return double.Parse(line[(line.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
    }
}
