using JitAdmission.Controller.Hosting;
using JitAdmission.Controller.Policies;
using JitAdmission.Controller.Requests;
using JitAdmission.Core.Admission;
using JitAdmission.Core.Api;
using JitAdmission.Core.Approval;
using JitAdmission.Integration.Tests.Controller.Support;
using JitAdmission.Integration.Tests.Crds;
using JitAdmission.Integration.Tests.Infrastructure;
using JitAdmission.Integration.Tests.KubernetesEdge.Support;
using JitAdmission.Kubernetes.Api;
using JitAdmission.Kubernetes.Runtime;
using JitAdmission.Kubernetes.Tests.Support;
using k8s;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using JitAdmission.Kubernetes.Audit;
using Microsoft.Extensions.Time.Testing;
using static JitAdmission.Controller.Tests.Support.Objects;

namespace JitAdmission.Integration.Tests.Controller;

/// <summary>
/// The controller in process against a real API server, on a fake clock: deadlines an hour away are reached by
/// advancing the clock, so these tests show the requeue at the deadline (not a poll) and the retention without waiting.
/// </summary>
public sealed class ControllerTermTests(KubeSandbox sandbox) : IClassFixture<KubeSandbox>, IAsyncLifetime
{
    private static readonly TimeSpan Retention = TimeSpan.FromHours(6);
    private readonly IKubernetes _admin = sandbox.AdminClient();
    private readonly FakeTimeProvider _time = new(TimeText.TruncateToSeconds(DateTimeOffset.UtcNow));
    private readonly CapturingEvents _events = new();
    private readonly CapturingNotifier _notifier = new();
    private readonly HeldCallsStandIn _held = new();
    private readonly List<Running> _running = [];
    private string _ns = "";

    public async Task InitializeAsync()
    {
        await CrdInstallation.EnsureAsync(sandbox);
        _ns = await _admin.NewNamespaceAsync("term");
        var caches = new ClusterCaches(_admin, TimeProvider.System, NullLoggerFactory.Instance);
        _running.Add(Running.Start(caches.RunAsync));
        var client = new JitClient(_admin);
        var requests = new ApprovalRequestReconciler(caches, client, _events, _notifier, AuditLog.To(Stream.Null, _time), _held,
            new ApprovalRequestMetrics(Prometheus.Metrics.NewCustomRegistry()), Options.Create(new OperatorOptions { Retention = Retention }), _time, NullLogger<ApprovalRequestReconciler>.Instance);
        var policies = new ApprovalPolicyReconciler(caches, null, client, _events, _time, NullLogger<ApprovalPolicyReconciler>.Instance);
        var term = new ControllerTerm(caches, requests, policies, Options.Create(new ControllerOptions()), _time, NullLogger<ControllerTerm>.Instance);
        _running.Add(Running.Start(term.RunAsync));
    }

    public async Task DisposeAsync()
    {
        for (var i = _running.Count - 1; i >= 0; i--) await _running[i].DisposeAsync();
        _admin.Dispose();
    }

    /// <summary>Moves the clock a second at a time (as time passes) until the request satisfies the condition.</summary>
    private async Task<ApprovalRequest> StepUntilAsync(string name, Func<ApprovalRequest?, bool> condition, TimeSpan limit)
    {
        var end = _time.GetUtcNow() + limit;
        while (true)
        {
            var request = await _admin.GetRequestAsync(_ns, name);
            if (condition(request)) return request!;
            if (_time.GetUtcNow() >= end) throw new TimeoutException($"not reached by {end:O}: {KubernetesJson.Serialize(request?.Status)}");
            _time.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task A_pending_request_expires_at_its_deadline_on_the_controller_clock_and_is_deleted_after_the_retention()
    {
        await _admin.CreatePolicyAsync(Policy("term-expiry", ttl: "1h"));
        var created = await _admin.CreateRequestAsync(Request(_ns, "r1", default, "term-expiry"));
        var pending = await _admin.WaitForRequestAsync(_ns, "r1", r => r.Status?.Phase == RequestPhase.Pending && r.Announced() == "Pending");
        var expiresAt = TimeText.FromApi(pending.Status!.ExpiresAt!.Value);
        Assert.Equal(TimeText.FromApi(created.Metadata.CreationTimestamp!.Value) + TimeSpan.FromHours(1), expiresAt);

        // Nearly an hour later it is still pending.
        _time.Advance(expiresAt - _time.GetUtcNow() - TimeSpan.FromSeconds(5));
        await Task.Delay(300);
        Assert.Equal(RequestPhase.Pending, (await _admin.GetRequestAsync(_ns, "r1"))!.Status!.Phase);

        var expired = await StepUntilAsync("r1", r => r?.Status?.Phase == RequestPhase.Expired, TimeSpan.FromSeconds(30));
        var announced = TimeText.FromApi(expired.Status!.Conditions.Single(c => c.Type == ApprovalConditions.Announced).LastTransitionTime);
        Assert.InRange(announced, expiresAt, expiresAt + TimeSpan.FromSeconds(2));
        // Announced right after the write that made it visible; the jump past its notice (10 minutes before the expiry)
        // announced it as Expiring once on the way.
        await Poll.UntilAsync(() => _events.ReasonsFor("r1").Count == 3 && _notifier.For("r1").Count == 3);
        Assert.Equal(["Pending", "Expiring", "Expired"], _events.ReasonsFor("r1"));
        Assert.Equal(["Pending", "Expiring", "Expired"], _notifier.For("r1"));

        // Kept for the retention after it expired, then deleted.
        _time.Advance(Retention - TimeSpan.FromSeconds(10));
        await Task.Delay(300);
        Assert.NotNull(await _admin.GetRequestAsync(_ns, "r1"));
        await StepUntilAsync("r1", r => r is null, TimeSpan.FromSeconds(30));
        Assert.True(_time.GetUtcNow() >= announced + Retention);
    }

    [Fact]
    public async Task Requirements_are_live_a_policy_change_re_evaluates_its_requests_and_its_counts_follow()
    {
        await _admin.CreatePolicyAsync(Policy("term-live"));
        var request = Request(_ns, "r2", default, "term-live");
        request.Spec.Reviews.Add(Approve("bob", _time.GetUtcNow(), "sre"));
        await _admin.CreateRequestAsync(request);

        await _admin.WaitForRequestAsync(_ns, "r2", r => r.Status?.Phase == RequestPhase.Approved && r.Status.Approvals == "1/1");
        await _admin.WaitForPolicyAsync("term-live", p => p.Status is { ApprovedRequests: 1, PendingRequests: 0 } && p.Condition("Ready")?.Status == "True");

        await _admin.UpdatePolicyAsync("term-live", s => s.Approval.Approvers[0].MinApprovals = 2);
        await _admin.WaitForRequestAsync(_ns, "r2", r => r.Status?.Phase == RequestPhase.Pending && r.Status.Approvals == "1/2");
        var policy = await _admin.WaitForPolicyAsync("term-live", p => p.Status is { ApprovedRequests: 0, PendingRequests: 1 });
        Assert.Equal(policy.Metadata.Generation, policy.Status!.ObservedGeneration);
        await Poll.UntilAsync(() => _notifier.For("r2").Count == 2);
        Assert.Equal(["Approved", "Pending"], _notifier.For("r2"));

        await _admin.CustomObjects.DeleteClusterCustomObjectAsync(ApiConstants.Group, ApiConstants.Version, ApiConstants.PolicyPlural, "term-live");
        var orphan = await _admin.WaitForRequestAsync(_ns, "r2", r => r.Status?.Message?.Contains("no longer exists", StringComparison.Ordinal) == true);
        Assert.Equal(RequestPhase.Pending, orphan.Status!.Phase);
    }

    [Fact]
    public async Task A_use_the_webhook_recorded_is_kept_and_announced_as_consumed()
    {
        await _admin.CreatePolicyAsync(Policy("term-uses"));
        var request = Request(_ns, "r3", default, "term-uses");
        request.Spec.Reviews.Add(Approve("bob", _time.GetUtcNow(), "sre"));
        await _admin.CreateRequestAsync(request);
        var approved = await _admin.WaitForRequestAsync(_ns, "r3", r => r.Status?.Phase == RequestPhase.Approved && r.Announced() == "Approved");

        // What the webhook writes when it lets the change through on this single-use approval.
        approved.Status!.Uses = 1;
        approved.Status.Phase = RequestPhase.Consumed;
        approved.Status.Usage.Add(new UsageRecord { Time = TimeText.ToApi(_time.GetUtcNow()), AdmissionUid = "admission-1", Operation = "UPDATE", By = "alice" });
        await new JitClient(_admin).ReplaceRequestStatusAsync(approved, default);

        var consumed = await _admin.WaitForRequestAsync(_ns, "r3", r => r.Announced() == "Consumed");
        Assert.Equal((RequestPhase.Consumed, 1), (consumed.Status!.Phase, consumed.Status.Uses));
        Assert.Equal("admission-1", Assert.Single(consumed.Status.Usage).AdmissionUid);
        await Poll.UntilAsync(() => _events.ReasonsFor("r3").Count == 2);
        Assert.Equal(["Approved", "Consumed"], _events.ReasonsFor("r3"));
    }

    [Fact]
    public async Task A_fresh_approval_a_call_is_held_on_is_left_to_its_use_and_announced_approved_then_consumed()
    {
        var policy = await _admin.CreatePolicyAsync(Policy("term-held"));
        _held.Hold(_ns, "r4");
        var request = Request(_ns, "r4", default, "term-held");
        request.Spec.Reviews.Add(Approve("bob", _time.GetUtcNow(), "sre"));
        await _admin.CreateRequestAsync(request);

        // The fake clock stands still inside the grace: the controller leaves the status to the held call.
        await Task.Delay(500);
        var left = (await _admin.GetRequestAsync(_ns, "r4"))!;
        Assert.Null(left.Status?.Phase);

        // The held call's use: what GateHandler writes, from the same evaluation.
        var evaluation = ApprovalEvaluator.Evaluate(left, [policy], _time.GetUtcNow());
        left.Status = ApprovalUse.Record(left.Status ?? new ApprovalRequestStatus(), evaluation, Admission("alice"), _time.GetUtcNow());
        Assert.True((await new JitClient(_admin).ReplaceRequestStatusAsync(left, default)).IsOk);

        var consumed = await _admin.WaitForRequestAsync(_ns, "r4", r => r.Announced() == "Consumed");
        Assert.Equal((RequestPhase.Consumed, 1), (consumed.Status!.Phase, consumed.Status.Uses));
        await Poll.UntilAsync(() => _events.ReasonsFor("r4").Count == 2 && _notifier.For("r4").Count == 2);
        Assert.Equal(["Approved", "Consumed"], _events.ReasonsFor("r4"));
        Assert.Equal(["Approved", "Consumed"], _notifier.For("r4"));
    }

    [Fact]
    public async Task A_fresh_approval_whose_held_call_never_uses_it_is_written_when_the_grace_ends()
    {
        await _admin.CreatePolicyAsync(Policy("term-held-gone"));
        _held.Hold(_ns, "r5");
        var request = Request(_ns, "r5", default, "term-held-gone");
        request.Spec.Reviews.Add(Approve("bob", _time.GetUtcNow(), "sre"));
        await _admin.CreateRequestAsync(request);
        await Task.Delay(300);
        Assert.Null((await _admin.GetRequestAsync(_ns, "r5"))!.Status?.Phase);

        var approved = await StepUntilAsync("r5", r => r?.Status?.Phase == RequestPhase.Approved, TimeSpan.FromSeconds(5));
        Assert.Equal("Approved", approved.Announced());
        Assert.Equal(0, approved.Status!.Uses);
    }

    private AdmissionAttributes Admission(string user) => new()
    {
        Uid = "admission-4",
        Operation = "CREATE",
        Resource = new GroupVersionResource("", "v1", "configmaps"),
        Namespace = _ns,
        Name = "settings",
        UserInfo = new UserInfo(user, null, []),
    };
}
