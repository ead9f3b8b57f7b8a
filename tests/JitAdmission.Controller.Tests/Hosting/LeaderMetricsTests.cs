using System.Globalization;
using JitAdmission.Controller.Hosting;
using JitAdmission.Core.Api;
using JitAdmission.Kubernetes.Caching;
using Prometheus;
using static JitAdmission.Controller.Tests.Support.Objects;

namespace JitAdmission.Controller.Tests.Hosting;

/// <summary>The leader gauge and the pending requests the leader counts from its cache when scraped.</summary>
public sealed class LeaderMetricsTests
{
    private readonly CollectorRegistry _registry = Metrics.NewCustomRegistry();
    private readonly ListedRequests _cache = new();
    private readonly LeaderMetrics _metrics;

    public LeaderMetricsTests() => _metrics = new LeaderMetrics(_registry, _cache);

    private sealed class ListedRequests : IResourceCacheReader<ApprovalRequest>
    {
        public List<ApprovalRequest> Requests { get; } = [];
        public bool IsSynced => true;
        public string? LastResourceVersion => "1";
        public Task WaitForSyncAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public ApprovalRequest? Get(string? @namespace, string name) => Requests.FirstOrDefault(r => r.Metadata.Name == name);
        public IReadOnlyCollection<ApprovalRequest> List() => [.. Requests];
        public IReadOnlyList<ApprovalRequest> ByIndex(string index, string key) => throw new NotSupportedException();
        public IDisposable Subscribe(Action<ResourceEvent<ApprovalRequest>> handler, bool replayExisting = false) => throw new NotSupportedException();
    }

    private Dictionary<string, double> Scrape()
    {
        using var stream = new MemoryStream();
        _registry.CollectAndExportAsTextAsync(stream).GetAwaiter().GetResult();
        return System.Text.Encoding.UTF8.GetString(stream.ToArray()).Split('\n')
            .Where(l => l.Length > 0 && l[0] != '#')
            .ToDictionary(l => l[..l.LastIndexOf(' ')], l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture), StringComparer.Ordinal);
    }

    private ApprovalRequest Add(string name, RequestPhase? phase, params string[] policies)
    {
        var request = Request("shop", name, T0, policies);
        if (phase is { } p) request.Status = new ApprovalRequestStatus { Phase = p };
        _cache.Requests.Add(request);
        return request;
    }

    [Fact]
    public void Only_the_leader_reports_itself_and_the_pending_requests_per_policy()
    {
        Add("new", null, "prod");
        Add("waiting", RequestPhase.Pending, "prod", "payments");
        Add("approved", RequestPhase.Approved, "prod");
        Add("denied", RequestPhase.Denied, "payments");
        Add("emergency", null, "prod").Spec.BreakGlass = true;

        var follower = Scrape();
        _metrics.TermStarted();
        var leading = Scrape();
        _metrics.TermEnded();
        var stepped = Scrape();

        Assert.Equal(0, follower["jitadmission_leader"]);
        Assert.DoesNotContain(follower.Keys, k => k.StartsWith("jitadmission_approval_requests_pending", StringComparison.Ordinal));
        Assert.Equal(1, leading["jitadmission_leader"]);
        Assert.Equal(2, leading["jitadmission_approval_requests_pending{policy=\"prod\"}"]);
        Assert.Equal(1, leading["jitadmission_approval_requests_pending{policy=\"payments\"}"]);
        Assert.Equal(0, stepped["jitadmission_leader"]);
        Assert.DoesNotContain(stepped.Keys, k => k.StartsWith("jitadmission_approval_requests_pending", StringComparison.Ordinal));
    }

    [Fact]
    public void A_policy_whose_requests_were_all_decided_drops_its_series()
    {
        var waiting = Add("waiting", RequestPhase.Pending, "payments");
        Add("other", RequestPhase.Pending, "prod");
        _metrics.TermStarted();
        Assert.Equal(1, Scrape()["jitadmission_approval_requests_pending{policy=\"payments\"}"]);

        waiting.Status = new ApprovalRequestStatus { Phase = RequestPhase.Approved };
        var after = Scrape();

        Assert.False(after.ContainsKey("jitadmission_approval_requests_pending{policy=\"payments\"}"));
        Assert.Equal(1, after["jitadmission_approval_requests_pending{policy=\"prod\"}"]);
    }
}
