using JitAdmission.Core.Api;
using JitAdmission.Core.Approval;
using static JitAdmission.Core.Tests.TestSupport.ApprovalFixtures;

namespace JitAdmission.Core.Tests.Approval;

public class ApprovalAnnouncementsTests
{
    private static ApprovalRequest BreakGlass(params Review[] reviews)
    {
        var request = Request(["prod"], reviews: reviews);
        request.Spec.BreakGlass = true;
        return request;
    }

    public static TheoryData<string, ApprovalRequest, DateTimeOffset, string> Cases => new()
    {
        { "pending", Request(["prod"]), At(1), "Pending" },
        { "approved", Request(["prod"], reviews: [Approve("bob", At(1), "sre"), Approve("carol", At(2), "security")]), At(3), "Approved" },
        { "denied", Request(["prod"], reviews: Deny("bob", At(1), "no", "sre")), At(2), "Denied" },
        { "expired", Request(["prod"]), At(61), "Expired" },
        { "break-glass awaiting review", BreakGlass(), At(1), "BreakGlass" },
        { "break-glass reviewed", BreakGlass(Approve("bob", At(1), "sre"), Approve("carol", At(2), "security")), At(3), "Reviewed" },
        { "break-glass rejected", BreakGlass(Deny("bob", At(1), "why?", "sre")), At(2), "ReviewRejected" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Each_state_has_its_announcement(string what, ApprovalRequest request, DateTimeOffset now, string expected) =>
        Assert.True(expected == ApprovalAnnouncements.For(Evaluate(request, now, TwoGroups())), what);

    [Theory]
    [InlineData("Pending", RequestPhase.Pending)]
    [InlineData("Consumed", RequestPhase.Consumed)]
    [InlineData("Reviewed", RequestPhase.BreakGlass)]
    [InlineData("ReviewRejected", RequestPhase.BreakGlass)]
    public void Announcements_map_to_the_phase_notify_filters_use(string announcement, RequestPhase phase) =>
        Assert.Equal(phase, ApprovalAnnouncements.PhaseOf(announcement));

    [Fact]
    public void Recording_sets_one_condition_whose_time_moves_with_each_new_announcement()
    {
        var status = new ApprovalRequestStatus();
        ApprovalAnnouncements.Record(status, "Pending", 1, At(1));
        ApprovalAnnouncements.Record(status, "Approved", 2, At(5));

        var announced = Assert.Single(status.Conditions);
        Assert.Equal((ApprovalConditions.Announced, "True", "Approved", 2L), (announced.Type, announced.Status, announced.Reason, announced.ObservedGeneration));
        Assert.Equal(TimeText.ToApi(At(5)), announced.LastTransitionTime);
        Assert.Equal("Approved", ApprovalAnnouncements.Recorded(status));
    }

    [Fact]
    public void Status_writers_keep_the_announcement_so_a_use_by_the_webhook_is_still_announced_once()
    {
        var request = Request(["prod"], scope: ApprovalScope.Exact, reviews: [Approve("bob", At(1), "sre"), Approve("carol", At(2), "security")]);
        var status = Evaluate(request, At(3), TwoGroups()).ToStatus(null, At(3));
        ApprovalAnnouncements.Record(status, "Approved", 1, At(3));
        request.Status = status;

        var afterReconcile = Evaluate(request, At(4), TwoGroups()).ToStatus(request.Status, At(4));
        var afterUse = ApprovalUse.Record(request.Status, Evaluate(request, At(4), TwoGroups()), Change(), At(4));

        Assert.Equal("Approved", ApprovalAnnouncements.Recorded(afterReconcile));
        Assert.Equal((RequestPhase.Consumed, "Approved"), (afterUse.Phase, ApprovalAnnouncements.Recorded(afterUse)));
        Assert.False(ApprovalStatusComparer.Differs(request.Status, afterReconcile));
    }

    [Fact]
    public void An_approval_announced_after_its_use_says_who_approved_and_the_use_says_it_is_spent()
    {
        var request = Request(["prod"], scope: ApprovalScope.Exact, reviews: [Approve("bob", At(1), "sre"), Approve("carol", At(2), "security")]);
        var pending = Evaluate(Request(["prod"]), At(1), TwoGroups()).ToStatus(null, At(1));
        ApprovalAnnouncements.Record(pending, "Pending", 1, At(1));
        request.Status = pending;
        request.Status = ApprovalUse.Record(request.Status, Evaluate(request, At(3), TwoGroups()), Change(), At(3));
        var consumed = Evaluate(request, At(4), TwoGroups());

        Assert.Equal([ApprovalAnnouncements.Approved, ApprovalAnnouncements.Consumed], ApprovalAnnouncements.Due("Pending", consumed));
        Assert.StartsWith("approved by bob, carol; the approval ends at ", consumed.MessageFor(ApprovalAnnouncements.Approved), StringComparison.Ordinal);
        Assert.DoesNotContain("used", consumed.MessageFor(ApprovalAnnouncements.Approved), StringComparison.Ordinal);
        Assert.StartsWith("used 1/1: the approval is spent", consumed.MessageFor(ApprovalAnnouncements.Consumed), StringComparison.Ordinal);
    }

    public static TheoryData<string, RequestPhase, string, bool> Finished => new()
    {
        { "denied and announced", RequestPhase.Denied, "Denied", true },
        { "expired and announced", RequestPhase.Expired, "Expired", true },
        { "consumed and announced", RequestPhase.Consumed, "Consumed", true },
        { "consumed by the webhook, not yet announced", RequestPhase.Consumed, "Approved", false },
        { "approved", RequestPhase.Approved, "Approved", false },
        { "pending", RequestPhase.Pending, "Pending", false },
        { "break-glass reviewed", RequestPhase.BreakGlass, "Reviewed", true },
        { "break-glass rejected: kept for follow-up", RequestPhase.BreakGlass, "ReviewRejected", false },
        { "break-glass awaiting review", RequestPhase.BreakGlass, "BreakGlass", false },
    };

    [Theory]
    [MemberData(nameof(Finished))]
    public void A_request_is_finished_for_retention_from_the_announcement_of_its_final_state(string what, RequestPhase phase, string announced, bool finished)
    {
        var status = new ApprovalRequestStatus { Phase = phase };
        ApprovalAnnouncements.Record(status, announced, 1, At(7));
        Assert.True((finished ? At(7) : (DateTimeOffset?)null) == ApprovalAnnouncements.FinishedAt(status), what);
    }
}
