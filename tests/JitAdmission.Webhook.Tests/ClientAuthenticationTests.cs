using System.Net;
using JitAdmission.Webhook.Tests.Infrastructure;

namespace JitAdmission.Webhook.Tests;

/// <summary>
/// With Webhook:ClientCaFile the admission paths answer only a caller presenting a client certificate from that CA (the
/// API server's); anyone else — a pod with curl, a user with their own cluster certificate — is refused before the body
/// is read, and the handler never runs. The probes and /metrics stay open.
/// </summary>
public sealed class ClientAuthenticationTests : IAsyncLifetime
{
    private readonly TestCertificates _apiServerCa = new();
    private readonly TestCertificates _userCa = new();
    private readonly DelegateHandler _handler = DelegateHandler.AllowAll();
    private readonly string _caFile = Path.GetTempFileName();
    private WebhookTestHost _host = null!;

    public async Task InitializeAsync()
    {
        await File.WriteAllTextAsync(_caFile, _apiServerCa.Ca.ExportCertificatePem());
        _host = await WebhookTestHost.StartAsync(_handler, new Dictionary<string, string?>
        {
            ["Webhook:ClientCaFile"] = _caFile,
            ["Webhook:ClientSubjects:0"] = "kube-apiserver-webhook-client",
        });
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        _apiServerCa.Dispose();
        _userCa.Dispose();
        File.Delete(_caFile);
    }

    private static Task<ReviewResponse> PostAsync(HttpClient client) =>
        WebhookTestHost.PostAsync(client, "/validate", AdmissionReviewBuilder.Create().BuildUtf8());

    [Fact]
    public async Task The_api_servers_certificate_is_answered()
    {
        var apiServer = _host.CreateClient(clientCertificate: _apiServerCa.IssueClient("kube-apiserver-webhook-client"));

        var review = await PostAsync(apiServer);

        Assert.Equal(HttpStatusCode.OK, review.StatusCode);
        Assert.True(review.Allowed);
        Assert.Equal(1, _handler.Calls);
    }

    public static TheoryData<string> Forgers() => ["none", "user certificate", "expired", "not yet valid"];

    [Theory]
    [MemberData(nameof(Forgers))]
    public async Task Anyone_else_gets_401_and_reaches_no_handler(string who)
    {
        var now = DateTimeOffset.UtcNow;
        var certificate = who switch
        {
            "user certificate" => _userCa.IssueClient("alice"),
            "expired" => _apiServerCa.IssueClient("kube-apiserver-webhook-client", now.AddMinutes(-50), now.AddMinutes(-10)),
            "not yet valid" => _apiServerCa.IssueClient("kube-apiserver-webhook-client", now.AddHours(2), now.AddHours(3)),
            _ => null,
        };
        var forger = _host.CreateClient(clientCertificate: certificate);

        var review = await PostAsync(forger);

        Assert.Equal(HttpStatusCode.Unauthorized, review.StatusCode);
        Assert.False(review.Allowed);
        Assert.Equal("Unauthorized", review.Reason);
        Assert.Contains(who is "expired" or "not yet valid" ? "is not valid now" : "only the Kubernetes API server may call this webhook", review.Message, StringComparison.Ordinal);
        Assert.Equal(0, _handler.Calls);
    }

    [Fact]
    public async Task A_certificate_from_the_right_ca_with_another_subject_gets_403()
    {
        var other = _host.CreateClient(clientCertificate: _apiServerCa.IssueClient("someone-else"));

        var review = await PostAsync(other);

        Assert.Equal(HttpStatusCode.Forbidden, review.StatusCode);
        Assert.Contains("\"someone-else\" is not among the allowed webhook clients", review.Message, StringComparison.Ordinal);
        Assert.Equal(0, _handler.Calls);
    }

    [Fact]
    public async Task Probes_and_metrics_need_no_certificate_and_count_the_refusals()
    {
        var anonymous = _host.CreateClient();
        await PostAsync(anonymous);

        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/healthz")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/readyz")).StatusCode);
        var metrics = await anonymous.GetStringAsync("/metrics");
        Assert.Contains("jitadmission_admission_client_refusals_total{reason=\"no_client_certificate\"} 1", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_connection_keeps_being_checked_per_request()
    {
        var apiServer = _host.CreateClient(clientCertificate: _apiServerCa.IssueClient("kube-apiserver-webhook-client"), maxConnections: 1);

        for (var i = 0; i < 3; i++) Assert.True((await PostAsync(apiServer)).Allowed);

        Assert.Equal(3, _handler.Calls);
    }
}
