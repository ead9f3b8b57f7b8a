using JitAdmission.Controller.Requests;
using JitAdmission.Core.Api;
using JitAdmission.Core.Approval;
using JitAdmission.Kubernetes.Caching;
using Microsoft.Extensions.Time.Testing;
using static JitAdmission.Controller.Tests.Support.Objects;

namespace JitAdmission.Controller.Tests.Requests;

/// <summary>The Expiring announcement as the controller's clock moves: when it is due, once, and for whom not.</summary>
public sealed class ExpiringAnnouncementTests
{
    private static readonly TimeSpan Retention = TimeSpan.FromHours(2);
    private static readonly TimeSpan Notice = ApprovalExpiry.DefaultNotice;
    private readonly FakeTimeProvider _time = new(T0);

    private RequestReconcilePlan Reconcile(ApprovalRequest request, params ApprovalPolicy[] policies)
    {
        var plan = RequestReconcilePlan.For(request, policies, _time.GetUtcNow(), Retention, Notice);
        if (plan.StatusToWrite is { } status) request.Status = status;
        return plan;
    }

    /// <summary>Follows the plan's own requeue, as the work queue does, and returns the plan made then.</summary>
    private RequestReconcilePlan ReconcileWhenAsked(RequestReconcilePlan previous, ApprovalRequest request, params ApprovalPolicy[] policies)
    {
        _time.Advance(previous.RequeueAfter(_time.GetUtcNow())!.Value);
        return Reconcile(request, policies);
    }

    [Fact]
    public void A_pending_request_is_announced_expiring_ten_minutes_before_its_expiry_once_and_then_expires()
    {
        var policy = Policy("prod", ttl: "1h");
        var request = Request("shop", "r1", T0, "prod");
        var pending = Reconcile(request, policy);
        Assert.False(pending.Expiring);
        Assert.Equal(TimeSpan.FromMinutes(50), pending.RequeueAfter(_time.GetUtcNow()));

        var expiring = ReconcileWhenAsked(pending, request, policy);
        Assert.Equal(T0 + TimeSpan.FromMinutes(50), _time.GetUtcNow());
        Assert.True(expiring.Expiring);
        Assert.Empty(expiring.Announcements); // not a transition: the Announced condition and the metrics stay as they were
        Assert.Equal(ApprovalAnnouncements.Pending, ApprovalAnnouncements.Recorded(request.Status));
        Assert.Equal("Pending", ApprovalExpiry.Announced(request.Status));
        Assert.Equal(TimeSpan.FromMinutes(10), expiring.RequeueAfter(_time.GetUtcNow()));

        _time.Advance(TimeSpan.FromMinutes(5));
        var resync = Reconcile(request, policy);
        Assert.False(resync.Expiring);
        Assert.Null(resync.StatusToWrite);

        var expired = ReconcileWhenAsked(resync, request, policy);
        Assert.Equal(RequestPhase.Expired, request.Status!.Phase);
        Assert.False(expired.Expiring);
        Assert.Null(expired.ExpiringAt);
    }

    [Fact]
    public void Not_a_tick_before_its_time()
    {
        var policy = Policy("prod", ttl: "1h");
        var request = Request("shop", "r1", T0, "prod");
        Reconcile(request, policy);

        _time.Advance(TimeSpan.FromMinutes(50) - TimeSpan.FromSeconds(1));
        var early = Reconcile(request, policy);
        Assert.False(early.Expiring);
        Assert.Equal(TimeSpan.FromSeconds(1), early.RequeueAfter(_time.GetUtcNow()));
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(Reconcile(request, policy).Expiring);
    }

    [Fact]
    public void After_a_restart_or_a_new_leader_the_status_says_it_was_made_and_it_is_not_made_again()
    {
        var policy = Policy("prod", ttl: "1h");
        var request = Request("shop", "r1", T0, "prod");
        Reconcile(request, policy);
        _time.Advance(TimeSpan.FromMinutes(52));
        Assert.True(Reconcile(request, policy).Expiring);

        // A new controller process: nothing in memory, only the request as the API server returns it.
        var reread = KubernetesObjects.DeepCopy(request);
        _time.Advance(TimeSpan.FromMinutes(1));
        var plan = RequestReconcilePlan.For(reread, [policy], _time.GetUtcNow(), Retention, Notice);
        Assert.False(plan.Expiring);
        Assert.Null(plan.StatusToWrite);
        Assert.Null(plan.ExpiringAt);
    }

    [Fact]
    public void A_request_approved_before_its_notice_is_not_announced_as_expiring_pending_but_its_approval_is_once_before_it_ends()
    {
        var policy = Policy("prod", ttl: "1h", validFor: "2h", configure: s => s.Approval.MaxUses = 3);
        var request = Request("shop", "r1", T0, "prod");
        Reconcile(request, policy);

        _time.Advance(TimeSpan.FromMinutes(20));
        request.Spec.Reviews.Add(Approve("bob", _time.GetUtcNow(), "sre"));
        var approved = Reconcile(request, policy);
        Assert.Equal(ApprovalAnnouncements.Approved, approved.Announcement);
        Assert.False(approved.Expiring);
        // Next look: ten minutes before the approval ends, not at the pending request's old notice.
        Assert.Equal(TimeSpan.FromHours(2) - TimeSpan.FromMinutes(10), approved.RequeueAfter(_time.GetUtcNow()));

        var expiring = ReconcileWhenAsked(approved, request, policy);
        Assert.True(expiring.Expiring);
        Assert.Equal("Approved", ApprovalExpiry.Announced(request.Status));
        Assert.Contains("3 uses left", ApprovalExpiry.Describe(expiring.Evaluation, _time.GetUtcNow()), StringComparison.Ordinal);
        Assert.False(Reconcile(request, policy).Expiring);
    }

    [Fact]
    public void A_short_window_is_announced_in_its_last_fifth()
    {
        var policy = Policy("prod", ttl: "1h", validFor: "15m");
        var request = Request("shop", "r1", T0, "prod");
        request.Spec.Reviews.Add(Approve("bob", T0, "sre"));
        var approved = Reconcile(request, policy);
        Assert.Equal(TimeSpan.FromMinutes(12), approved.RequeueAfter(_time.GetUtcNow()));
        Assert.True(ReconcileWhenAsked(approved, request, policy).Expiring);
    }

    [Fact]
    public void A_pending_request_warned_about_then_approved_is_warned_about_its_approval_too_but_each_only_once()
    {
        var policy = Policy("prod", ttl: "1h", validFor: "15m");
        var request = Request("shop", "r1", T0, "prod");
        Reconcile(request, policy);
        _time.Advance(TimeSpan.FromMinutes(55));
        Assert.True(Reconcile(request, policy).Expiring);

        request.Spec.Reviews.Add(Approve("bob", _time.GetUtcNow(), "sre"));
        var approved = Reconcile(request, policy);
        Assert.False(approved.Expiring);
        _time.Advance(TimeSpan.FromMinutes(12));
        Assert.True(Reconcile(request, policy).Expiring);
        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.False(Reconcile(request, policy).Expiring);
    }

    [Fact]
    public void A_request_first_seen_after_its_deadline_expires_without_an_expiring_warning()
    {
        var request = Request("shop", "r1", T0, "prod");
        _time.Advance(TimeSpan.FromHours(2));
        var plan = Reconcile(request, Policy("prod", ttl: "1h"));
        Assert.Equal(RequestPhase.Expired, request.Status!.Phase);
        Assert.False(plan.Expiring);
    }

    [Fact]
    public void Spent_denied_and_break_glass_requests_are_never_announced_as_expiring()
    {
        var policy = Policy("prod", ttl: "1h", validFor: "1h");

        var denied = Request("shop", "d1", T0, "prod");
        denied.Spec.Reviews.Add(Deny("carol", T0, "no", "sre"));
        var breakGlass = Request("shop", "bg1", T0, "prod");
        breakGlass.Spec.BreakGlass = true;
        Reconcile(denied, policy);
        Reconcile(breakGlass, policy);

        _time.Advance(TimeSpan.FromMinutes(55));
        Assert.False(Reconcile(denied, policy).Expiring);
        var glass = Reconcile(breakGlass, policy);
        Assert.False(glass.Expiring);
        Assert.Null(glass.ExpiringAt);
        Assert.Null(ApprovalExpiry.Announced(breakGlass.Status));
    }

    [Fact]
    public void A_notice_of_zero_turns_it_off()
    {
        var request = Request("shop", "r1", T0, "prod");
        _time.Advance(TimeSpan.FromMinutes(55));
        var plan = RequestReconcilePlan.For(request, [Policy("prod", ttl: "1h")], _time.GetUtcNow(), Retention, TimeSpan.Zero);
        Assert.False(plan.Expiring);
        Assert.Null(plan.ExpiringAt);
    }
}
