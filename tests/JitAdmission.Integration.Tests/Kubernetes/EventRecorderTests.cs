using JitAdmission.Core.Api;
using JitAdmission.Integration.Tests.Infrastructure;
using JitAdmission.Integration.Tests.KubernetesEdge.Support;
using JitAdmission.Kubernetes.Api;
using JitAdmission.Kubernetes.Events;
using JitAdmission.Kubernetes.Tests.Support;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Time.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace JitAdmission.Integration.Tests.KubernetesEdge;

public sealed class EventRecorderTests(KubeSandbox sandbox) : IClassFixture<KubeSandbox>, IAsyncLifetime
{
    private static readonly DateTimeOffset Start = DateTimeOffset.Parse("2030-03-01T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
    private readonly IKubernetes _admin = sandbox.AdminClient();
    private readonly FakeTimeProvider _time = new(Start);
    private string _ns = "";

    public async Task InitializeAsync()
    {
        await MinimalJitCrds.ApplyAsync(sandbox);
        _ns = await _admin.NewNamespaceAsync("events");
    }

    public Task DisposeAsync()
    {
        _admin.Dispose();
        return Task.CompletedTask;
    }

    private async Task<ApprovalRequest> CreateRequestAsync(string name)
    {
        var request = new ApprovalRequest { Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = _ns } };
        request.Spec.Requester.Username = "alice";
        return (await new JitClient(_admin).CreateRequestAsync(request, default)).Object;
    }

    private async Task<IList<Corev1Event>> EventsAbout(string ns, string name) =>
        (await _admin.CoreV1.ListNamespacedEventAsync(ns, fieldSelector: $"involvedObject.name={name}")).Items;

    [Fact]
    public async Task Identical_events_are_aggregated_into_one_with_a_count_and_different_ones_stay_apart()
    {
        var request = await CreateRequestAsync("agg");
        var recorder = new EventRecorder(_admin, Microsoft.Extensions.Options.Options.Create(new EventRecorderOptions { Instance = "replica-1" }), _time, NullLogger<EventRecorder>.Instance);
        await using var run = Running.Start(recorder.RunAsync);

        recorder.Warning(request, "Expired", "nobody approved within 1h");
        _time.Advance(TimeSpan.FromMinutes(1));
        recorder.Warning(request, "Expired", "nobody approved within 1h");
        _time.Advance(TimeSpan.FromMinutes(1));
        recorder.Warning(request, "Expired", "nobody approved within 1h");
        recorder.Normal(request, "Approved", "approved by bob");

        await Poll.UntilAsync(async () => (await EventsAbout(_ns, "agg")).Sum(e => e.Count ?? 0) == 4);
        var events = await EventsAbout(_ns, "agg");
        var expired = Assert.Single(events, e => e.Reason == "Expired");
        Assert.Equal(3, expired.Count);
        Assert.Equal("Warning", expired.Type);
        Assert.Equal(Start.UtcDateTime, expired.FirstTimestamp);
        Assert.Equal(Start.UtcDateTime.AddMinutes(2), expired.LastTimestamp);
        Assert.Equal("jit-admission", expired.Source.Component);
        Assert.Equal(request.Metadata.Uid, expired.InvolvedObject.Uid);
        Assert.Equal(ApiConstants.RequestKind, expired.InvolvedObject.Kind);
        Assert.Equal(1, Assert.Single(events, e => e.Reason == "Approved").Count);

        // Outside the aggregation window the same event starts a new Event object.
        _time.Advance(TimeSpan.FromMinutes(11));
        recorder.Warning(request, "Expired", "nobody approved within 1h");
        await Poll.UntilAsync(async () => (await EventsAbout(_ns, "agg")).Count(e => e.Reason == "Expired") == 2);
    }

    [Fact]
    public async Task Events_about_cluster_scoped_objects_go_to_the_configured_namespace()
    {
        var policy = new ApprovalPolicy { Metadata = new V1ObjectMeta { Name = "policy-" + _ns, Uid = Guid.NewGuid().ToString() } };
        var recorder = new EventRecorder(_admin, Microsoft.Extensions.Options.Options.Create(new EventRecorderOptions { ClusterScopedNamespace = _ns }), _time, NullLogger<EventRecorder>.Instance);
        await using var run = Running.Start(recorder.RunAsync);

        recorder.Warning(policy, "InvalidCondition", "CEL: undeclared reference to 'foo'");

        await Poll.UntilAsync(async () => (await EventsAbout(_ns, policy.Metadata.Name)).Count == 1);
        Assert.Equal(ApiConstants.PolicyKind, (await EventsAbout(_ns, policy.Metadata.Name)).Single().InvolvedObject.Kind);
    }

    [Fact]
    public async Task Failures_never_reach_the_caller_and_later_events_still_go_out()
    {
        var recorder = new EventRecorder(_admin, Microsoft.Extensions.Options.Options.Create(new EventRecorderOptions()), _time, NullLogger<EventRecorder>.Instance);
        await using var run = Running.Start(recorder.RunAsync);
        var inMissingNamespace = new ApprovalRequest { Metadata = new V1ObjectMeta { Name = "ghost", NamespaceProperty = "no-such-namespace-" + _ns } };

        recorder.Warning(inMissingNamespace, "Lost", "the API refuses this one");
        recorder.Warning(new ApprovalRequest { Metadata = new V1ObjectMeta() }, "NoName", "no involved name");
        recorder.Record(null!, EventTypes.Normal, "Null", "null object");
        var fine = await CreateRequestAsync("after-failure");
        recorder.Normal(fine, "Created", "pending approval");

        await Poll.UntilAsync(async () => (await EventsAbout(_ns, "after-failure")).Count == 1);
        Assert.False(run.Task.IsCompleted);
    }

    [Fact]
    public void A_full_queue_drops_and_counts_instead_of_blocking()
    {
        var recorder = new EventRecorder(_admin, Microsoft.Extensions.Options.Options.Create(new EventRecorderOptions { QueueCapacity = 2 }), _time, NullLogger<EventRecorder>.Instance);
        var request = new ApprovalRequest { Metadata = new V1ObjectMeta { Name = "r", NamespaceProperty = _ns } };

        for (var i = 0; i < 5; i++) recorder.Normal(request, "Burst", $"event {i}");

        Assert.Equal(3, recorder.Dropped);
    }
}
