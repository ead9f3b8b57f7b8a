using JitAdmission.Core.Api;
using JitAdmission.Core.Approval;
using k8s.Models;
using static JitAdmission.Core.Tests.TestSupport.ApprovalFixtures;

namespace JitAdmission.Core.Tests.Approval;

public class ApprovalStatusTests
{
    private static readonly ApprovalPolicy Prod = TwoGroups();

    private static ApprovalRequestStatus Reconcile(ApprovalRequest request, DateTimeOffset now)
    {
        var status = Evaluate(request, now, Prod).ToStatus(request.Status, now);
        request.Status = status;
        return status;
    }

    [Fact]
    public void Status_carries_phase_times_progress_and_display_columns()
    {
        var request = Request(["prod"], reviews: [Approve("bob", At(5), "sre"), Approve("carol", At(10), "security")]);
        var status = Reconcile(request, At(11));

        Assert.Equal(RequestPhase.Approved, status.Phase);
        Assert.Equal("UPDATE deployments/web", status.Action);
        Assert.Equal("2/2", status.Approvals);
        Assert.Equal(TimeText.ToApi(At(60)), status.ExpiresAt);
        Assert.Equal(TimeText.ToApi(At(10)), status.ApprovedAt);
        Assert.Equal(TimeText.ToApi(At(25)), status.ValidUntil);
        Assert.Equal(1, status.MaxUses);
        Assert.Equal(2, status.Requirements.Count);
        Assert.Equal(2, status.Decisions.Count);
        Assert.Equal("approved by bob, carol; the approval ends at 2025-03-01T12:25:00Z; used 0/1", status.Message);
        var approved = Assert.Single(status.Conditions);
        Assert.Equal(("Approved", "True", "Approved"), (approved.Type, approved.Status, approved.Reason));
        Assert.Equal(TimeText.ToApi(At(11)), approved.LastTransitionTime);
    }

    [Fact]
    public void A_reconcile_without_news_writes_nothing_new()
    {
        var request = Request(["prod"], reviews: [Approve("bob", At(5), "sre")]);
        var first = Reconcile(request, At(6));
        var second = Evaluate(request, At(20), Prod).ToStatus(first, At(20));

        Assert.False(ApprovalStatusComparer.Differs(first, second));
        Assert.Equal(first.Conditions[0].LastTransitionTime, second.Conditions[0].LastTransitionTime);
    }

    [Fact]
    public void LastTransitionTime_moves_only_when_the_condition_status_changes()
    {
        var request = Request(["prod"], reviews: [Approve("bob", At(5), "sre")]);
        var pending = Reconcile(request, At(6));
        request.Spec.Reviews.Add(Approve("carol", At(10), "security"));
        var approved = Reconcile(request, At(11));
        var expired = Reconcile(request, At(26));

        Assert.Equal(TimeText.ToApi(At(6)), pending.Conditions[0].LastTransitionTime);
        Assert.Equal(TimeText.ToApi(At(11)), approved.Conditions[0].LastTransitionTime);
        Assert.Equal(("False", "Expired"), (expired.Conditions[0].Status, expired.Conditions[0].Reason));
        Assert.Equal(TimeText.ToApi(At(26)), expired.Conditions[0].LastTransitionTime);
    }

    [Fact]
    public void Uses_usage_and_foreign_conditions_are_kept()
    {
        var request = Request(["prod"]);
        var foreign = new V1Condition { Type = "Notified", Status = "True", Reason = "Sent", Message = "ok", LastTransitionTime = TimeText.ToApi(At(1)) };
        var usage = new UsageRecord { Time = TimeText.ToApi(At(2)), AdmissionUid = "u", Operation = "UPDATE", By = "alice" };
        request.Status = new ApprovalRequestStatus { Uses = 3, Usage = [usage], Conditions = [foreign] };

        var status = Reconcile(request, At(3));

        Assert.Equal(3, status.Uses);
        Assert.Equal("u", Assert.Single(status.Usage).AdmissionUid);
        Assert.Equal(["Notified", "Approved"], status.Conditions.Select(c => c.Type));
    }

    [Fact]
    public void Break_glass_adds_a_Reviewed_condition()
    {
        var request = Request(["prod"], reviews: [Deny("carol", At(2), "why", "security")]);
        request.Spec.BreakGlass = true;
        var status = Reconcile(request, At(3));

        Assert.Equal(RequestPhase.BreakGlass, status.Phase);
        var reviewed = status.Conditions.Single(c => c.Type == ApprovalConditions.Reviewed);
        Assert.Equal(("False", "Rejected"), (reviewed.Status, reviewed.Reason));
    }

    public static TheoryData<string, Action<ApprovalRequestStatus>> Changes => new()
    {
        { "phase", s => s.Phase = RequestPhase.Denied },
        { "uses", s => s.Uses++ },
        { "message", s => s.Message += "!" },
        { "approvals", s => s.Approvals = "9/9" },
        { "expiresAt", s => s.ExpiresAt = s.ExpiresAt!.Value.AddSeconds(1) },
        { "requirement", s => s.Requirements[0].Have++ },
        { "decision", s => s.Decisions[0].IgnoredReason = "x" },
        { "usage", s => s.Usage.Add(new UsageRecord { AdmissionUid = "z" }) },
        { "condition reason", s => s.Conditions[0].Reason = "Other" },
        { "observedGeneration", s => s.ObservedGeneration = 9 },
    };

    [Theory]
    [MemberData(nameof(Changes))]
    public void Differs_sees_every_meaningful_field(string what, Action<ApprovalRequestStatus> change)
    {
        var request = Request(["prod"], reviews: [Approve("bob", At(5), "sre")]);
        var a = Reconcile(request, At(6));
        var b = Evaluate(request, At(6), Prod).ToStatus(a, At(6));
        Assert.False(ApprovalStatusComparer.Differs(a, b), what);
        change(b);
        Assert.True(ApprovalStatusComparer.Differs(a, b), what);
    }

    [Fact]
    public void Differs_ignores_sub_second_and_kind_differences_of_times()
    {
        var request = Request(["prod"]);
        var a = Reconcile(request, At(6));
        var b = Evaluate(request, At(6), Prod).ToStatus(a, At(6));
        b.ExpiresAt = DateTime.SpecifyKind(b.ExpiresAt!.Value.AddMilliseconds(300), DateTimeKind.Unspecified);
        Assert.False(ApprovalStatusComparer.Differs(a, b));
        Assert.True(ApprovalStatusComparer.Differs(null, b));
    }
}
