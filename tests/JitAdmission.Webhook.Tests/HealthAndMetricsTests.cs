using JitAdmission.Core.Gate;
using System.Net;
using System.Net.Sockets;
using System.Text;
using JitAdmission.Core.Admission;
using JitAdmission.Webhook.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace JitAdmission.Webhook.Tests;

public sealed class HealthAndMetricsTests
{
    private sealed class FlagCheck : IReadinessCheck
    {
        public volatile bool Ready;

        public string Name => "certificates";

        public ValueTask<ReadinessResult> CheckAsync(CancellationToken cancellationToken) =>
            ValueTask.FromResult(Ready ? ReadinessResult.Ready : ReadinessResult.NotReady("serving certificate not loaded"));
    }

    [Fact]
    public async Task Healthz_answers_while_readyz_waits_for_every_check()
    {
        var cachesSynced = false;
        var flag = new FlagCheck();
        await using var host = await WebhookTestHost.StartAsync(DelegateHandler.AllowAll(), services: services => services
            .AddReadinessCheck("caches", () => Volatile.Read(ref cachesSynced) ? null : "caches not synced")
            .AddSingleton<IReadinessCheck>(flag));

        var health = await host.Client.GetAsync("/healthz");
        var notReady = await host.Client.GetAsync("/readyz");
        var notReadyBody = await notReady.Content.ReadAsStringAsync();
        Volatile.Write(ref cachesSynced, true);
        var halfReady = await host.Client.GetStringAsync(new Uri("/readyz", UriKind.Relative)).ContinueWith(t => t.IsFaulted ? "503" : t.Result, TaskScheduler.Default);
        flag.Ready = true;
        var ready = await host.Client.GetAsync("/readyz");

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal("ok\n", await health.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.ServiceUnavailable, notReady.StatusCode);
        Assert.Equal("not ready\ncaches: caches not synced\ncertificates: serving certificate not loaded\n", notReadyBody);
        Assert.Equal("503", halfReady);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal("ok\n", await ready.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_failing_readiness_check_reads_as_not_ready()
    {
        await using var host = await WebhookTestHost.StartAsync(DelegateHandler.AllowAll(),
            services: services => services.AddReadinessCheck("informer", () => throw new InvalidOperationException("watch broken")));

        var response = await host.Client.GetAsync("/readyz");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Contains("informer: check failed: watch broken", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Decision_time_leaves_out_a_body_that_is_slow_to_arrive_and_duration_includes_it()
    {
        await using var host = await WebhookTestHost.StartAsync(DelegateHandler.AllowAll());
        await using var connection = await RawHttpsConnection.OpenAsync(host.BaseAddress, host.Certificates);
        var body = AdmissionReviewBuilder.Create().BuildUtf8();

        await connection.WriteAsync($"POST /validate HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {body.Length}\r\n\r\n");
        await connection.WriteAsync(body[..10]);
        // The server's clock starts when Kestrel dispatches the request, which on a loaded machine (CI runs the test
        // assemblies side by side) came 270 ms after the headers: the wait leaves room for that above the 0.5 s.
        await Task.Delay(1000);
        await connection.WriteAsync(body[10..]);
        var (status, _) = await connection.ReadHeadAsync(new CancellationTokenSource(TimeSpan.FromSeconds(20)).Token);
        // Observed just after the answer is written: the client may read it first.
        var text = "";
        for (var tries = 0; tries < 100 && !text.Contains("jitadmission_admission_duration_seconds_count{endpoint=\"/validate\"} 1", StringComparison.Ordinal); tries++)
        {
            if (tries > 0) await Task.Delay(50);
            text = await host.Client.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        }

        Assert.Equal(200, status);
        Assert.True(Sum(text, "jitadmission_admission_duration_seconds_sum") >= 0.5, text);
        Assert.True(Sum(text, "jitadmission_admission_decision_seconds_sum") < 0.5, text);
    }

    private static double Sum(string metrics, string name) =>
        double.Parse(metrics.Split('\n').Single(l => l.StartsWith(name + "{endpoint=\"/validate\"}", StringComparison.Ordinal)).Split(' ')[1],
            System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task Metrics_expose_requests_durations_bad_requests_policies_and_holds()
    {
        var handler = DelegateHandler.From(request => request.Name switch
        {
            "gated" => AdmissionVerdict.Deny("needs approval", "hold") with { Policies = ["prod-changes", "no-friday-deploys"] },
            "odd" => AdmissionVerdict.Allow with { Outcome = "some-unlisted-outcome" },
            _ => AdmissionVerdict.Allow,
        });
        await using var host = await WebhookTestHost.StartAsync(handler);
        var metrics = host.App.Services.GetRequiredService<AdmissionMetrics>();

        for (var i = 0; i < 3; i++) await host.PostAsync("/validate", AdmissionReviewBuilder.Create().Build());
        await host.PostAsync("/validate", AdmissionReviewBuilder.Delete("gated").Build());
        await host.PostAsync("/mutate", AdmissionReviewBuilder.Update("odd").Build());
        await host.PostAsync("/validate", "{not json");
        using var held = metrics.BeginHold();
        var whileHeld = await host.Client.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        held.Complete(HoldResult.Approved);
        using (metrics.BeginHold())
        {
            // Disposed without a result: the caller went away.
        }

        var text = await host.Client.GetStringAsync(new Uri("/metrics", UriKind.Relative));

        Assert.Contains("jitadmission_admission_requests_total{endpoint=\"/validate\",operation=\"CREATE\",outcome=\"allow\"} 3", text, StringComparison.Ordinal);
        Assert.Contains("jitadmission_admission_requests_total{endpoint=\"/validate\",operation=\"DELETE\",outcome=\"hold\"} 1", text, StringComparison.Ordinal);
        Assert.Contains("jitadmission_admission_requests_total{endpoint=\"/mutate\",operation=\"UPDATE\",outcome=\"other\"} 1", text, StringComparison.Ordinal);
        Assert.Contains("jitadmission_admission_duration_seconds_count{endpoint=\"/validate\"} 4", text, StringComparison.Ordinal);
        Assert.Matches("jitadmission_admission_duration_seconds_bucket\\{endpoint=\"/validate\",le=\"(2.5e-05|2.5E-05|0.000025)\"\\}", text);
        Assert.Contains("jitadmission_admission_duration_seconds_bucket{endpoint=\"/validate\",le=\"30\"} 4", text, StringComparison.Ordinal);
        Assert.Contains("jitadmission_admission_decision_seconds_count{endpoint=\"/validate\"} 4", text, StringComparison.Ordinal);
        Assert.Contains("jitadmission_admission_bad_requests_total{reason=\"invalid_json\"} 1", text, StringComparison.Ordinal);
        Assert.Contains("jitadmission_policy_decisions_total{policy=\"prod-changes\",outcome=\"hold\"} 1", text, StringComparison.Ordinal);
        Assert.Contains("jitadmission_policy_decisions_total{policy=\"no-friday-deploys\",outcome=\"hold\"} 1", text, StringComparison.Ordinal);
        Assert.Contains("jitadmission_held_calls 1", whileHeld, StringComparison.Ordinal);
        Assert.Contains("jitadmission_held_calls 0", text, StringComparison.Ordinal);
        Assert.Contains("jitadmission_approval_wait_seconds_count{result=\"approved\"} 1", text, StringComparison.Ordinal);
        Assert.Contains("jitadmission_approval_wait_seconds_count{result=\"cancelled\"} 1", text, StringComparison.Ordinal);
        Assert.DoesNotContain("uid", text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("alice", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_separate_metrics_listener_serves_metrics_over_plain_http_and_never_admission()
    {
        var port = FreePort();
        await using var host = await WebhookTestHost.StartAsync(DelegateHandler.AllowAll(),
            new Dictionary<string, string?> { ["Webhook:MetricsListenUrl"] = $"http://127.0.0.1:{port}" });
        using var plain = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        await host.PostAsync("/validate", AdmissionReviewBuilder.Create().Build());

        var metrics = await plain.GetAsync("/metrics");
        var healthz = await plain.GetAsync("/healthz");
        var metricsOverHttps = await host.Client.GetAsync("/metrics");
        using var content = new StringContent(AdmissionReviewBuilder.Create().Build(), Encoding.UTF8, "application/json");
        var admissionOverHttp = await ReviewResponse.ReadAsync(await plain.PostAsync("/validate", content));

        Assert.Equal(HttpStatusCode.OK, metrics.StatusCode);
        Assert.Contains("jitadmission_admission_requests_total", await metrics.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, healthz.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, metricsOverHttps.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, admissionOverHttp.StatusCode);
        Assert.Contains("HTTPS only", admissionOverHttp.Message, StringComparison.Ordinal);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
