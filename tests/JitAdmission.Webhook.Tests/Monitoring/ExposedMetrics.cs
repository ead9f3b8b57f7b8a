using JitAdmission.Controller.WebhookConfiguration;
using JitAdmission.Controller.Hosting;
using JitAdmission.Controller.Notifications;
using JitAdmission.Controller.Requests;
using JitAdmission.Core.Api;
using JitAdmission.Kubernetes.Caching;
using JitAdmission.Webhook.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace JitAdmission.Webhook.Tests.Monitoring;

/// <summary>
/// The metric names a query may use: what a real <c>/metrics</c> of the webhook host exposes with every metric class of
/// the executable registered (histograms and summaries with their sample suffixes), plus the API server's admission
/// webhook metrics, which jit-admission cannot expose and the dashboard and alerts read from the API server.
/// </summary>
public static class ExposedMetrics
{
    /// <summary>
    /// The API server's, from kubernetes/kubernetes staging/src/k8s.io/apiserver/pkg/admission/metrics/metrics.go
    /// (namespace "apiserver", subsystem "admission"): webhook_rejection_count {name, type, operation, error_type,
    /// rejection_code}, webhook_fail_open_count {name, type}, webhook_request_total {name, type, operation, code,
    /// rejected} (counters, exposed under these names: component-base adds no _total), and the histogram
    /// webhook_admission_duration_seconds {name, type, operation, rejected}. Listed with their labels so that a query
    /// filtering on a label they do not have fails here too.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string[]> ApiServer = new Dictionary<string, string[]>(StringComparer.Ordinal)
    {
        ["apiserver_admission_webhook_rejection_count"] = ["name", "type", "operation", "error_type", "rejection_code"],
        ["apiserver_admission_webhook_fail_open_count"] = ["name", "type"],
        ["apiserver_admission_webhook_request_total"] = ["name", "type", "operation", "code", "rejected"],
        ["apiserver_admission_webhook_admission_duration_seconds_bucket"] = ["name", "type", "operation", "rejected", "le"],
        ["apiserver_admission_webhook_admission_duration_seconds_sum"] = ["name", "type", "operation", "rejected"],
        ["apiserver_admission_webhook_admission_duration_seconds_count"] = ["name", "type", "operation", "rejected"],
    };

    private sealed class NoRequests : IResourceCacheReader<ApprovalRequest>
    {
        public bool IsSynced => true;
        public string? LastResourceVersion => null;
        public Task WaitForSyncAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public ApprovalRequest? Get(string? @namespace, string name) => null;
        public IReadOnlyCollection<ApprovalRequest> List() => [];
        public IReadOnlyList<ApprovalRequest> ByIndex(string index, string key) => [];
        public IDisposable Subscribe(Action<ResourceEvent<ApprovalRequest>> handler, bool replayExisting = false) => throw new NotSupportedException();
    }

    /// <summary>Scrapes the webhook host's /metrics with the controller's metric classes registered as the executable does.</summary>
    public static async Task<string> ScrapeAsync()
    {
        await using var host = await WebhookTestHost.StartAsync(DelegateHandler.AllowAll(), services: services => services
            .AddSingleton<NotificationMetrics>()
            .AddSingleton<ApprovalRequestMetrics>()
            .AddSingleton<IResourceCacheReader<ApprovalRequest>, NoRequests>()
            .AddSingleton<LeaderMetrics>()
            .AddSingleton<WebhookTrustMetrics>());
        // Singletons are made on first use; the executable makes these when its controller starts.
        host.App.Services.GetRequiredService<NotificationMetrics>();
        host.App.Services.GetRequiredService<ApprovalRequestMetrics>();
        host.App.Services.GetRequiredService<LeaderMetrics>();
        // Absent until the first check or repair, as in the executable.
        var trust = host.App.Services.GetRequiredService<WebhookTrustMetrics>();
        trust.Trusted(true);
        trust.Repaired("ValidatingWebhookConfiguration");
        return await host.Client.GetStringAsync(new Uri("/metrics", UriKind.Relative));
    }

    /// <summary>Sample names from the exposition's # TYPE lines: histograms give _bucket, _sum and _count; summaries _sum and _count too.</summary>
    public static HashSet<string> Names(string exposition)
    {
        ArgumentNullException.ThrowIfNull(exposition);
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var line in exposition.Split('\n'))
        {
            var parts = line.Split(' ');
            if (parts is not ["#", "TYPE", var name, var type]) continue;
            string[] suffixes = type switch
            {
                "histogram" => ["_bucket", "_sum", "_count"],
                "summary" => ["", "_sum", "_count"],
                _ => [""],
            };
            foreach (var suffix in suffixes) names.Add(name + suffix);
        }

        return names;
    }
}
