using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using JitAdmission.Kubernetes.Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace JitAdmission.Webhook.Tests.Infrastructure;

/// <summary>
/// The transport as the composition root wires it: real Kestrel with HTTPS on 127.0.0.1 (ephemeral port), a
/// certificate from a test CA, and clients that trust only that CA. <c>/validate</c> is validating and
/// <c>/mutate</c> mutating, both answered by the given handler.
/// </summary>
public sealed class WebhookTestHost : IAsyncDisposable
{
    private readonly List<HttpClient> _clients = [];

    private WebhookTestHost(WebApplication app, TestCertificates certificates, MutableCertificateSource source, CapturingLoggerProvider logs)
    {
        App = app;
        Certificates = certificates;
        Source = source;
        Logs = logs;
        BaseAddress = new Uri(app.Urls.Single(u => u.StartsWith("https://", StringComparison.Ordinal)));
        Client = CreateClient();
    }

    public WebApplication App { get; }
    public TestCertificates Certificates { get; }
    public MutableCertificateSource Source { get; }
    public CapturingLoggerProvider Logs { get; }
    public Uri BaseAddress { get; }
    public HttpClient Client { get; }

    public static async Task<WebhookTestHost> StartAsync(
        IAdmissionHandler handler,
        IDictionary<string, string?>? settings = null,
        Action<IServiceCollection>? services = null,
        Action<AdmissionEndpointMap>? map = null)
    {
        var certificates = new TestCertificates();
        var source = new MutableCertificateSource(certificates.IssueServer("serving-1"), certificates.Ca.ExportCertificatePem());
        var logs = new CapturingLoggerProvider();

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        var configuration = new Dictionary<string, string?> { ["Webhook:ListenUrl"] = "https://127.0.0.1:0" };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>()) configuration[key] = value;
        builder.Configuration.AddInMemoryCollection(configuration);
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(logs);
        builder.Services.AddSingleton<ICertificateSource>(source);
        builder.Services.AddAdmissionWebhook(builder.Configuration);
        services?.Invoke(builder.Services);
        builder.WebHost.UseAdmissionHttps();

        var app = builder.Build();
        app.MapAdmissionEndpoints(map ?? (m => m
            .Add("/validate", handler, AdmissionEndpointKind.Validating)
            .Add("/mutate", handler, AdmissionEndpointKind.Mutating)));
        await app.StartAsync();
        return new WebhookTestHost(app, certificates, source, logs);
    }

    /// <summary>A client on its own connection pool, trusting only the test CA; reports each server certificate seen.</summary>
    public HttpClient CreateClient(Action<X509Certificate2>? onCertificate = null, int maxConnections = int.MaxValue, X509Certificate2? clientCertificate = null)
    {
        var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = maxConnections,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        };
        if (clientCertificate is not null) handler.SslOptions.ClientCertificates = [clientCertificate];
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
        {
            if (certificate is not null) onCertificate?.Invoke(new X509Certificate2(certificate));
            return Certificates.Validate(certificate, errors);
        };
        var client = new HttpClient(handler) { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        _clients.Add(client);
        return client;
    }

    public Task<ReviewResponse> PostAsync(string path, string body, string contentType = "application/json") =>
        PostAsync(Client, path, Encoding.UTF8.GetBytes(body), contentType);

    public static async Task<ReviewResponse> PostAsync(HttpClient client, string path, byte[] body, string? contentType = "application/json")
    {
        using var content = new ByteArrayContent(body);
        if (contentType is not null) content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        using var response = await client.PostAsync(path, content);
        return await ReviewResponse.ReadAsync(response);
    }

    public IEnumerable<CapturingLoggerProvider.LogEntry> LogsWithEvent(int eventId) => Logs.Entries.Where(e => e.EventId.Id == eventId);

    /// <summary>The decision line is logged after the answer is sent (it must not delay it): wait for it to appear.</summary>
    public async Task<List<CapturingLoggerProvider.LogEntry>> LogsWithEventAsync(int eventId)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            var entries = LogsWithEvent(eventId).ToList();
            if (entries.Count > 0 || DateTime.UtcNow > deadline) return entries;
            await Task.Delay(10);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients) client.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
        Certificates.Dispose();
    }
}
