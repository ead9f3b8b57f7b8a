using JitAdmission.Controller.Requests;
using JitAdmission.Core.Api;
using JitAdmission.Core.Approval;
using Microsoft.Extensions.Time.Testing;
using static JitAdmission.Controller.Tests.Support.Objects;

namespace JitAdmission.Controller.Tests.Requests;

/// <summary>What a request reconcile writes, announces, deletes and when it looks again, as the clock moves.</summary>
public sealed class RequestReconcilePlanTests
{
    private static readonly TimeSpan Retention = TimeSpan.FromHours(2);
    private readonly FakeTimeProvider _time = new(T0);

    /// <summary>One reconcile: plan, and apply the status it writes as the API server would.</summary>
    private RequestReconcilePlan Reconcile(ApprovalRequest request, params ApprovalPolicy[] policies)
    {
        var plan = RequestReconcilePlan.For(request, policies, _time.GetUtcNow(), Retention);
        if (plan.StatusToWrite is { } status) request.Status = status;
        return plan;
    }

    [Fact]
    public void A_new_request_is_announced_pending_once_and_looked_at_again_exactly_at_its_expiry()
    {
        var policy = Policy("prod", ttl: "10m");
        var request = Request("shop", "r1", T0, "prod");
        _time.Advance(TimeSpan.FromSeconds(3));

        var first = Reconcile(request, policy);
        Assert.Equal(ApprovalAnnouncements.Pending, first.Announcement);
        Assert.Equal(RequestPhase.Pending, request.Status!.Phase);
        Assert.Equal(TimeSpan.FromMinutes(10) - TimeSpan.FromSeconds(3), first.RequeueAfter(_time.GetUtcNow()));
        Assert.Null(first.DeleteAt);

        _time.Advance(TimeSpan.FromMinutes(5));
        var again = Reconcile(request, policy);
        Assert.Null(again.StatusToWrite);
        Assert.Null(again.Announcement);
        Assert.Equal(TimeSpan.FromMinutes(5) - TimeSpan.FromSeconds(3), again.RequeueAfter(_time.GetUtcNow()));
    }

    [Fact]
    public void At_the_deadline_it_expires_and_is_deleted_after_the_retention_counted_from_then()
    {
        var policy = Policy("prod", ttl: "10m");
        var request = Request("shop", "r1", T0, "prod");
        Reconcile(request, policy);

        _time.Advance(TimeSpan.FromMinutes(10) - TimeSpan.FromTicks(1));
        Assert.Null(Reconcile(request, policy).StatusToWrite);
        _time.Advance(TimeSpan.FromTicks(1));
        var expired = Reconcile(request, policy);
        Assert.Equal(RequestPhase.Expired, request.Status!.Phase);
        Assert.Equal(ApprovalAnnouncements.Expired, expired.Announcement);
        Assert.Equal(T0 + TimeSpan.FromMinutes(10) + Retention, expired.DeleteAt);
        Assert.Equal(Retention, expired.RequeueAfter(_time.GetUtcNow()));
        Assert.False(expired.IsDueForDeletion(_time.GetUtcNow()));

        _time.Advance(Retention - TimeSpan.FromSeconds(1));
        var waiting = Reconcile(request, policy);
        Assert.Null(waiting.StatusToWrite);
        Assert.False(waiting.IsDueForDeletion(_time.GetUtcNow()));
        Assert.Equal(TimeSpan.FromSeconds(1), waiting.RequeueAfter(_time.GetUtcNow()));
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(Reconcile(request, policy).IsDueForDeletion(_time.GetUtcNow()));
    }

    [Fact]
    public void A_deadline_that_passed_while_nobody_reconciled_expires_at_once()
    {
        var request = Request("shop", "r1", T0, "prod");
        _time.Advance(TimeSpan.FromHours(3));

        var plan = Reconcile(request, Policy("prod", ttl: "1h"));

        Assert.Equal(RequestPhase.Expired, request.Status!.Phase);
        Assert.Equal(ApprovalAnnouncements.Expired, plan.Announcement);
        Assert.Equal(TimeSpan.FromHours(2), plan.RequeueAfter(_time.GetUtcNow()));
    }

    [Fact]
    public void Approval_is_announced_with_progress_and_it_is_looked_at_again_when_the_approval_ends()
    {
        var policy = Policy("prod", min: 2, validFor: "15m");
        var request = Request("shop", "r1", T0, "prod");
        Reconcile(request, policy);

        _time.Advance(TimeSpan.FromMinutes(1));
        request.Spec.Reviews.Add(Approve("bob", _time.GetUtcNow(), "sre"));
        var one = Reconcile(request, policy);
        Assert.Null(one.Announcement);
        Assert.Equal("1/2", request.Status!.Approvals);

        _time.Advance(TimeSpan.FromMinutes(1));
        request.Spec.Reviews.Add(Approve("dave", _time.GetUtcNow(), "sre"));
        var approved = Reconcile(request, policy);
        Assert.Equal(ApprovalAnnouncements.Approved, approved.Announcement);
        Assert.Equal(("2/2", RequestPhase.Approved), (request.Status!.Approvals, request.Status.Phase));
        Assert.Equal(TimeSpan.FromMinutes(15), approved.RequeueAfter(_time.GetUtcNow()));
        Assert.Null(approved.DeleteAt);
    }

    [Fact]
    public void A_held_call_that_uses_the_approval_first_still_gets_it_announced_as_approved_then_consumed()
    {
        var policy = Policy("prod");
        var request = Request("shop", "r1", T0, "prod");
        Assert.Equal(ApprovalAnnouncements.Pending, Reconcile(request, policy).Announcement);

        // The held call's use lands before the controller's write: Pending straight to Consumed.
        request.Spec.Reviews.Add(Approve("bob", T0, "sre"));
        var evaluation = RequestReconcilePlan.For(request, [policy], T0, Retention).Evaluation;
        request.Status = ApprovalUse.Record(request.Status!, evaluation, Admission("alice"), T0);
        var plan = Reconcile(request, policy);

        Assert.Equal([ApprovalAnnouncements.Approved, ApprovalAnnouncements.Consumed], plan.Announcements);
        Assert.Equal(ApprovalAnnouncements.Consumed, ApprovalAnnouncements.Recorded(request.Status));
        Assert.Empty(Reconcile(request, policy).Announcements);
    }

    [Fact]
    public void A_fresh_approval_is_left_to_a_held_call_for_the_grace_only()
    {
        var policy = Policy("prod");
        var request = Request("shop", "r1", T0, "prod");
        Reconcile(request, policy);
        _time.Advance(TimeSpan.FromSeconds(10));
        request.Spec.Reviews.Add(Approve("bob", _time.GetUtcNow(), "sre"));

        _time.Advance(TimeSpan.FromMilliseconds(300));
        var fresh = RequestReconcilePlan.For(request, [policy], _time.GetUtcNow(), Retention);
        Assert.Equal(TimeText.FromApi(request.Spec.Reviews[0].Time!.Value) + RequestReconcilePlan.HeldCallGrace, fresh.FirstUseLeftUntil);
        Assert.NotNull(fresh.StatusToWrite);

        _time.Advance(RequestReconcilePlan.HeldCallGrace);
        var late = Reconcile(request, policy);
        Assert.Null(late.FirstUseLeftUntil);
        Assert.Equal(ApprovalAnnouncements.Approved, late.Announcement);

        // Once the status says Approved, nothing is news any more (a later write, e.g. a message, is not held back).
        Assert.Null(RequestReconcilePlan.For(request, [policy], _time.GetUtcNow() - RequestReconcilePlan.HeldCallGrace, Retention).FirstUseLeftUntil);
    }

    [Fact]
    public void An_approval_reached_by_a_policy_change_or_already_used_is_not_left_to_anyone()
    {
        var policy = Policy("prod", min: 2);
        var request = Request("shop", "r1", T0, "prod");
        request.Spec.Reviews.Add(Approve("bob", T0, "sre"));
        Reconcile(request, policy);
        Assert.Equal(RequestPhase.Pending, request.Status!.Phase);

        // Minutes later the policy asks for one approval: approved now, but not fresh news a held call waits for.
        _time.Advance(TimeSpan.FromMinutes(5));
        var relaxed = Policy("prod", min: 1);
        var plan = RequestReconcilePlan.For(request, [relaxed], _time.GetUtcNow(), Retention);
        Assert.Equal(RequestPhase.Approved, plan.StatusToWrite!.Phase);
        Assert.Null(plan.FirstUseLeftUntil);
    }

    [Fact]
    public void A_use_recorded_by_the_webhook_is_announced_as_consumed_and_its_uses_are_kept()
    {
        var policy = Policy("prod");
        var request = Request("shop", "r1", T0, "prod");
        request.Spec.Reviews.Add(Approve("bob", T0, "sre"));
        Reconcile(request, policy);
        Assert.Equal(RequestPhase.Approved, request.Status!.Phase);

        // The webhook consumed the single use: phase and uses written by it, the announcement still says Approved.
        request.Status.Phase = RequestPhase.Consumed;
        request.Status.Uses = 1;
        request.Status.Usage.Add(new UsageRecord { Time = TimeText.ToApi(T0), AdmissionUid = "u1", Operation = "UPDATE", By = "alice" });
        _time.Advance(TimeSpan.FromMinutes(1));
        var plan = Reconcile(request, policy);

        Assert.Equal(ApprovalAnnouncements.Consumed, plan.Announcement);
        Assert.Equal((1, 1), (request.Status.Uses, request.Status.Usage.Count));
        Assert.Equal(T0 + TimeSpan.FromMinutes(1) + Retention, plan.DeleteAt);
    }

    [Fact]
    public void Denied_is_announced_once_and_finished()
    {
        var policy = Policy("prod");
        var request = Request("shop", "r1", T0, "prod");
        request.Spec.Reviews.Add(Deny("carol", T0, "not during the freeze", "sre"));

        var plan = Reconcile(request, policy);
        Assert.Equal((RequestPhase.Denied, ApprovalAnnouncements.Denied), (request.Status!.Phase, plan.Announcement));
        Assert.Equal(T0 + Retention, plan.DeleteAt);
        Assert.Null(Reconcile(request, policy).Announcement);
    }

    [Fact]
    public void Break_glass_is_announced_then_its_review_and_only_a_reviewed_one_is_deleted()
    {
        var policy = Policy("prod");
        var reviewed = Request("shop", "bg1", T0, "prod");
        reviewed.Spec.BreakGlass = true;
        Assert.Equal(ApprovalAnnouncements.BreakGlass, Reconcile(reviewed, policy).Announcement);
        _time.Advance(TimeSpan.FromMinutes(30));
        reviewed.Spec.Reviews.Add(Approve("bob", _time.GetUtcNow(), "sre"));
        var plan = Reconcile(reviewed, policy);
        Assert.Equal(ApprovalAnnouncements.Reviewed, plan.Announcement);
        Assert.Equal(_time.GetUtcNow() + Retention, plan.DeleteAt);

        var rejected = Request("shop", "bg2", T0, "prod");
        rejected.Spec.BreakGlass = true;
        rejected.Spec.Reviews.Add(Deny("bob", _time.GetUtcNow(), "why?", "sre"));
        var rejection = Reconcile(rejected, policy);
        Assert.Equal(ApprovalAnnouncements.ReviewRejected, rejection.Announcement);
        Assert.Null(rejection.DeleteAt);
    }

    [Fact]
    public void A_retention_too_long_to_add_keeps_finished_requests()
    {
        var request = Request("shop", "r1", T0, "prod");
        request.Spec.Reviews.Add(Deny("carol", T0, "no", "sre"));
        var plan = RequestReconcilePlan.For(request, [Policy("prod")], _time.GetUtcNow(), TimeSpan.MaxValue);
        Assert.Null(plan.DeleteAt);
        Assert.Null(plan.RequeueAfter(_time.GetUtcNow()));
    }

    [Fact]
    public void A_tightened_policy_sends_an_approved_request_back_to_pending_and_announces_it()
    {
        var request = Request("shop", "r1", T0, "prod");
        request.Spec.Reviews.Add(Approve("bob", T0, "sre"));
        Reconcile(request, Policy("prod"));
        Assert.Equal(RequestPhase.Approved, request.Status!.Phase);

        var plan = Reconcile(request, Policy("prod", min: 2));
        Assert.Equal((RequestPhase.Pending, ApprovalAnnouncements.Pending, "1/2"), (request.Status.Phase, plan.Announcement, request.Status.Approvals));
    }
}
