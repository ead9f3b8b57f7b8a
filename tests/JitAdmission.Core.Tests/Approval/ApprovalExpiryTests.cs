using JitAdmission.Core.Api;
using JitAdmission.Core.Approval;
using Microsoft.Extensions.Time.Testing;
using static JitAdmission.Core.Tests.TestSupport.ApprovalFixtures;

namespace JitAdmission.Core.Tests.Approval;

/// <summary>When a pending request or an approval is announced as about to run out, and what the announcement says.</summary>
public class ApprovalExpiryTests
{
    private static readonly TimeSpan Notice = ApprovalExpiry.DefaultNotice;

    [Theory]
    [InlineData(60, 10)]     // a long window: the notice itself
    [InlineData(50, 10)]     // exactly five notices
    [InlineData(15, 3)]      // a short window: its last fifth
    [InlineData(1, 0.2)]
    public void The_lead_is_the_notice_or_the_last_fifth_of_a_short_window(double windowMinutes, double leadMinutes) =>
        Assert.Equal(TimeSpan.FromMinutes(leadMinutes), ApprovalExpiry.Lead(TimeSpan.FromMinutes(windowMinutes), Notice));

    [Fact]
    public void No_lead_without_a_notice_or_a_window() =>
        Assert.Equal((TimeSpan.Zero, TimeSpan.Zero),
            (ApprovalExpiry.Lead(TimeSpan.FromHours(1), TimeSpan.Zero), ApprovalExpiry.Lead(TimeSpan.Zero, Notice)));

    [Fact]
    public void Due_in_the_last_stretch_of_the_pending_window_until_recorded_for_that_phase()
    {
        var time = new FakeTimeProvider(T0);
        var policy = Policy("prod", s => s.Approval.RequestTtl = "1h", Group("sre"));
        var request = Request(["prod"]);

        time.Advance(TimeSpan.FromMinutes(49));
        var early = Evaluate(request, time.GetUtcNow(), policy);
        Assert.False(ApprovalExpiry.IsDue(early, null, Notice, time.GetUtcNow()));
        Assert.Equal(T0.AddMinutes(50), ApprovalExpiry.NextAt(early, null, Notice, time.GetUtcNow()));

        time.Advance(TimeSpan.FromMinutes(1));
        var due = Evaluate(request, time.GetUtcNow(), policy);
        Assert.True(ApprovalExpiry.IsDue(due, null, Notice, time.GetUtcNow()));

        var status = due.ToStatus(null, time.GetUtcNow());
        ApprovalExpiry.Record(status, due, time.GetUtcNow());
        Assert.Equal("Pending", ApprovalExpiry.Announced(status));
        Assert.False(ApprovalExpiry.IsDue(due, status, Notice, time.GetUtcNow()));
        Assert.Null(ApprovalExpiry.NextAt(due, status, Notice, time.GetUtcNow()));
        // The evaluation's status writer keeps the condition it does not own.
        Assert.Equal("Pending", ApprovalExpiry.Announced(due.ToStatus(status, time.GetUtcNow())));

        time.Advance(TimeSpan.FromMinutes(10));
        var expired = Evaluate(request, time.GetUtcNow(), policy);
        Assert.Equal(RequestPhase.Expired, expired.Phase);
        Assert.False(ApprovalExpiry.IsDue(expired, null, Notice, time.GetUtcNow()));
    }

    [Fact]
    public void A_break_glass_record_has_no_window_to_announce()
    {
        var request = Request(["prod"]);
        request.Spec.BreakGlass = true;
        var evaluation = Evaluate(request, At(14), Policy("prod", Group("sre")));
        Assert.Null(ApprovalExpiry.Schedule(evaluation, Notice));
    }

    [Fact]
    public void A_pending_request_says_whom_it_still_waits_on_entry_by_entry()
    {
        var policy = TwoGroups("prod", s => s.Approval.Approvers[1].Users.Add("carol"));
        var request = Request(["prod"], reviews: Approve("bob", At(1), "sre"));
        var evaluation = Evaluate(request, At(55), policy);

        Assert.Equal(
            "expires in 5m (at 2025-03-01T13:00:00Z) unless approved; waits for 1 of security (group security, user carol)",
            ApprovalExpiry.Describe(evaluation, At(55)));
    }

    [Theory]
    [InlineData(0, 0, "any number of uses")]
    [InlineData(1, 0, "1 use left")]
    [InlineData(3, 1, "2 uses left")]
    public void Uses_left(int maxUses, int used, string expected)
    {
        var policy = Policy("prod", s => s.Approval.MaxUses = maxUses == 0 ? null : maxUses, Group("sre"));
        var request = Request(["prod"], scope: maxUses == 0 ? ApprovalScope.Grant : ApprovalScope.Exact, reviews: Approve("bob", At(1), "sre"));
        if (maxUses == 0) policy.Spec.Approval.Scope = ApprovalScope.Grant;
        request.Status = new ApprovalRequestStatus { Uses = used };
        var evaluation = Evaluate(request, At(2), policy);

        Assert.Equal(RequestPhase.Approved, evaluation.Phase);
        Assert.Equal(expected, ApprovalExpiry.UsesLeft(evaluation));
        Assert.EndsWith("; " + expected, ApprovalExpiry.Describe(evaluation, At(2)), StringComparison.Ordinal);
    }
}
