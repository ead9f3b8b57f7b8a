using JitAdmission.Core.Api;
using JitAdmission.Core.Approval;
using static JitAdmission.Core.Tests.TestSupport.ApprovalFixtures;

namespace JitAdmission.Core.Tests.Approval;

/// <summary>One row: policies, a request, the time, and what the evaluation must say.</summary>
public sealed record EvalCase(
    string Name, ApprovalPolicy[] Policies, ApprovalRequest Request, DateTimeOffset Now, RequestPhase Phase, string Progress, bool Usable)
{
    public override string ToString() => Name;
}

public class ApprovalEvaluatorTests
{
    private static readonly ApprovalPolicy Prod = TwoGroups();

    private static ApprovalRequest Req(params Review[] reviews) => Request(["prod"], reviews: reviews);

    private static ApprovalRequest WithStatus(ApprovalRequest request, RequestPhase? phase, int uses = 0, DateTimeOffset? approvedAt = null, string? message = null)
    {
        request.Status = new ApprovalRequestStatus { Phase = phase, Uses = uses, ApprovedAt = TimeText.ToApi(approvedAt), Message = message };
        return request;
    }

    private static ApprovalPolicy Scoped(ApprovalScope scope, int? maxUses = null, string validFor = "15m") =>
        TwoGroups(configure: s =>
        {
            s.Approval.Scope = scope;
            s.Approval.MaxUses = maxUses;
            s.Approval.ValidFor = validFor;
        });

    private static readonly Review[] BothApprove = [Approve("bob", At(5), "sre"), Approve("carol", At(10), "security")];

    public static TheoryData<EvalCase> Cases => new()
    {
        new EvalCase("no reviews: pending", [Prod], Req(), At(1), RequestPhase.Pending, "0/2", false),
        new EvalCase("no reviews at exactly expiresAt: expired", [Prod], Req(), At(60), RequestPhase.Expired, "0/2", false),
        new EvalCase("one second before expiresAt: pending", [Prod], Req(), At(59, 59), RequestPhase.Pending, "0/2", false),
        new EvalCase("one of two entries", [Prod], Req(Approve("bob", At(5), "sre")), At(6), RequestPhase.Pending, "1/2", false),
        new EvalCase("both entries: approved", [Prod], Req(BothApprove), At(11), RequestPhase.Approved, "2/2", true),
        new EvalCase("one person in both groups counts once", [Prod], Req(Approve("bob", At(5), "sre", "security")), At(6), RequestPhase.Pending, "1/2", false),
        new EvalCase("two-group person first, then a one-group person: re-assigned", [Prod],
            Req(Approve("bob", At(5), "sre", "security"), Approve("carol", At(6), "sre")), At(7), RequestPhase.Approved, "2/2", true),
        new EvalCase("one-group person first, then a two-group person", [Prod],
            Req(Approve("carol", At(5), "sre"), Approve("bob", At(6), "sre", "security")), At(7), RequestPhase.Approved, "2/2", true),
        new EvalCase("minApprovals 2 with one approver", [Policy("prod", Group("sre", 2))], Req(Approve("bob", At(5), "sre")), At(6), RequestPhase.Pending, "1/2", false),
        new EvalCase("minApprovals 2 with two approvers", [Policy("prod", Group("sre", 2))],
            Req(Approve("bob", At(5), "sre"), Approve("dave", At(6), "sre")), At(7), RequestPhase.Approved, "2/2", true),
        new EvalCase("minApprovals greater than the listed people", [Policy("prod", Entry("leads", users: ["bob"], min: 2))],
            Req(Approve("bob", At(5))), At(6), RequestPhase.Pending, "1/2", false),
        new EvalCase("empty approver list never approves", [Policy("prod")], Req(Approve("bob", At(5), "sre")), At(6), RequestPhase.Pending, "0/0", false),
        new EvalCase("self-approval ignored by default", [Policy("prod", Group("sre"))], Req(Approve("alice", At(5), "sre")), At(6), RequestPhase.Pending, "0/1", false),
        new EvalCase("self-approval counts when allowed", [Policy("prod", s => s.Approval.AllowSelfApproval = true, Group("sre"))],
            Req(Approve("alice", At(5), "sre")), At(6), RequestPhase.Approved, "1/1", true),
        new EvalCase("ineligible reviewer ignored", [Prod], Req(Approve("mallory", At(5), "dev")), At(6), RequestPhase.Pending, "0/2", false),
        new EvalCase("deny from an ineligible reviewer ignored", [Prod], Req(Deny("mallory", At(5), "no", "dev")), At(6), RequestPhase.Pending, "0/2", false),
        new EvalCase("self-deny ignored when self-approval is not allowed", [Prod], Req(Deny("alice", At(5), "oops", "sre")), At(6), RequestPhase.Pending, "0/2", false),
        new EvalCase("deny from an eligible reviewer denies", [Prod], Req(Approve("bob", At(5), "sre"), Deny("carol", At(6), "too risky", "security")),
            At(7), RequestPhase.Denied, "1/2", false),
        new EvalCase("deny after approval revokes it", [Prod], Req([.. BothApprove, Deny("dave", At(12), null, "sre")]), At(13), RequestPhase.Denied, "2/2", false),
        new EvalCase("group eligibility uses the stamped groups only", [Prod], Req(Approve("bob", At(5))), At(6), RequestPhase.Pending, "0/2", false),
        new EvalCase("duplicate review by the same reviewer counts once", [Policy("prod", Group("sre", 2))],
            Req(Approve("bob", At(5), "sre"), Approve("bob", At(6), "sre")), At(7), RequestPhase.Pending, "1/2", false),
        new EvalCase("approval completed after expiry: expired", [Prod],
            Req(Approve("bob", At(5), "sre"), Approve("carol", At(61), "security")), At(62), RequestPhase.Expired, "2/2", false),
        new EvalCase("approval completed exactly at expiry: expired", [Prod],
            Req(Approve("bob", At(5), "sre"), Approve("carol", At(60), "security")), At(60), RequestPhase.Expired, "2/2", false),
        new EvalCase("inside validFor: approved", [Prod], Req(BothApprove), At(24, 59), RequestPhase.Approved, "2/2", true),
        new EvalCase("exactly at validUntil: expired", [Prod], Req(BothApprove), At(25), RequestPhase.Expired, "2/2", false),
        new EvalCase("validity can outlive the request TTL", [Prod], Req(Approve("bob", At(50), "sre"), Approve("carol", At(55), "security")),
            At(65), RequestPhase.Approved, "2/2", true),
        new EvalCase("Exact: unused", [Scoped(ApprovalScope.Exact)], WithStatus(Req(BothApprove), RequestPhase.Approved, uses: 0), At(11), RequestPhase.Approved, "2/2", true),
        new EvalCase("Exact: used once is consumed", [Scoped(ApprovalScope.Exact)], WithStatus(Req(BothApprove), RequestPhase.Approved, uses: 1), At(11), RequestPhase.Consumed, "2/2", false),
        new EvalCase("maxUses 0 (Object): any number of uses", [Scoped(ApprovalScope.Object)], WithStatus(Req(BothApprove), RequestPhase.Approved, uses: 100), At(11), RequestPhase.Approved, "2/2", true),
        new EvalCase("maxUses 3: two used", [Scoped(ApprovalScope.Object, 3)], WithStatus(Req(BothApprove), RequestPhase.Approved, uses: 2), At(11), RequestPhase.Approved, "2/2", true),
        new EvalCase("maxUses 3: three used", [Scoped(ApprovalScope.Object, 3)], WithStatus(Req(BothApprove), RequestPhase.Approved, uses: 3), At(11), RequestPhase.Consumed, "2/2", false),
        new EvalCase("recorded Denied stays without a deny review", [Prod], WithStatus(Req(BothApprove), RequestPhase.Denied, message: "denied by x"), At(11), RequestPhase.Denied, "2/2", false),
        new EvalCase("recorded Expired stays even when approvals arrive", [Prod], WithStatus(Req(BothApprove), RequestPhase.Expired, message: "expired"), At(11), RequestPhase.Expired, "2/2", false),
        new EvalCase("recorded Consumed stays", [Scoped(ApprovalScope.Object)], WithStatus(Req(BothApprove), RequestPhase.Consumed, uses: 1, message: "used"), At(11), RequestPhase.Consumed, "2/2", false),
        new EvalCase("recorded Approved follows a tightened policy back to Pending", [Policy("prod", Group("sre", 2), Group("security"))],
            WithStatus(Req(BothApprove), RequestPhase.Approved), At(11), RequestPhase.Pending, "2/3", false),
        new EvalCase("missing policy keeps it pending", [Prod], Request(["prod", "gone"], reviews: BothApprove), At(11), RequestPhase.Pending, "2/2", false),
        new EvalCase("missing policy expires", [Prod], Request(["prod", "gone"]), At(60), RequestPhase.Expired, "0/2", false),
        new EvalCase("all policies missing: default TTL", [], Request(["gone"]), At(30), RequestPhase.Pending, "0/0", false),
        new EvalCase("policies not named by the request are ignored", [Prod, Policy("other", Group("nobody"))], Req(BothApprove), At(11), RequestPhase.Approved, "2/2", true),
        new EvalCase("two policies: each must be satisfied", [Prod, Policy("db", Group("dba"))],
            Request(["prod", "db"], reviews: BothApprove), At(11), RequestPhase.Pending, "2/3", false),
        new EvalCase("two policies: both satisfied", [Prod, Policy("db", Group("dba"))],
            Request(["prod", "db"], reviews: [.. BothApprove, Approve("erin", At(11), "dba")]), At(12), RequestPhase.Approved, "3/3", true),
        new EvalCase("1 SRE and 2 SREs: one SRE is not enough", [Policy("base", Group("sre")), Policy("incident", Group("sre", 2))],
            Request(["base", "incident"], reviews: Approve("bob", At(5), "sre")), At(6), RequestPhase.Pending, "1/2", false),
        new EvalCase("1 SRE and 2 SREs mean 2 SREs, not 3", [Policy("base", Group("sre")), Policy("incident", Group("sre", 2))],
            Request(["base", "incident"], reviews: [Approve("bob", At(5), "sre"), Approve("dave", At(6), "sre")]), At(7), RequestPhase.Approved, "2/2", true),
        new EvalCase("one person counts for every policy that makes them eligible", [Policy("a", Group("sre")), Policy("b", Group("security"))],
            Request(["a", "b"], reviews: Approve("bob", At(5), "sre", "security")), At(6), RequestPhase.Approved, "1/1", true),
        new EvalCase("within a policy still distinct people, whatever the other policies", [Prod, Policy("b", Group("sre"))],
            Request(["prod", "b"], reviews: Approve("bob", At(5), "sre", "security")), At(6), RequestPhase.Pending, "1/2", false),
        new EvalCase("a deny from an approver of either policy denies", [Prod, Policy("db", Group("dba"))],
            Request(["prod", "db"], reviews: [.. BothApprove, Deny("erin", At(11), "not now", "dba")]), At(12), RequestPhase.Denied, "2/3", false),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Phase_progress_and_usability(EvalCase c)
    {
        var e = ApprovalEvaluator.Evaluate(c.Request, c.Policies, c.Now);
        Assert.True((c.Phase, c.Progress, c.Usable) == (e.Phase, e.Progress, e.IsUsable), $"{c.Name}: got {e.Phase} {e.Progress} usable={e.IsUsable}: {e.Message}");
    }

    [Fact]
    public void Approved_times_come_from_the_review_that_completed_the_requirements()
    {
        var e = Evaluate(Req(BothApprove), At(11), Prod);
        Assert.Equal(At(10), e.ApprovedAt);
        Assert.Equal(At(25), e.ValidUntil);
        Assert.Equal(At(60), e.ExpiresAt);
        Assert.Equal(At(25), e.NextDeadline);
        Assert.Equal(["bob", "carol"], e.ApprovedBy);
    }

    [Fact]
    public void Without_a_review_time_the_recorded_approvedAt_is_kept_else_now()
    {
        var unstamped = new Review[] { new() { Reviewer = "bob", Groups = ["sre"] }, new() { Reviewer = "carol", Groups = ["security"] } };
        Assert.Equal(At(7), Evaluate(WithStatus(Req(unstamped), RequestPhase.Approved, approvedAt: At(7)), At(11), Prod).ApprovedAt);
        Assert.Equal(At(11), Evaluate(Req(unstamped), At(11, 0).AddMilliseconds(400), Prod).ApprovedAt);
    }

    [Fact]
    public void Pending_says_what_it_waits_for_and_when_it_expires()
    {
        var e = Evaluate(Req(), At(1), Prod);
        Assert.Equal("waiting for sre 0/1, security 0/1; expires in 59m", e.Message);
        Assert.Equal("waiting for sre 0/1, security 0/1; expires at 2025-03-01T13:00:00Z", e.StatusMessage);
        Assert.Equal(At(60), e.NextDeadline);
    }

    [Fact]
    public void Progress_per_entry_is_the_matching()
    {
        var e = Evaluate(Req(Approve("bob", At(5), "sre", "security"), Approve("carol", At(6), "sre")), At(7), Prod);
        Assert.Equal(["sre:carol", "security:bob"], e.Requirements.Select(r => $"{r.Name}:{string.Join(",", r.ApprovedBy)}"));
        Assert.All(e.Requirements, r => Assert.True(r.Satisfied && r.Have == 1 && r.Need == 1));
        Assert.Equal(At(6), e.ApprovedAt);
    }

    [Fact]
    public void Several_policies_report_progress_per_policy_with_qualified_names()
    {
        var request = Request(["base", "incident"], reviews: [Approve("bob", At(5), "sre"), Approve("dave", At(6), "sre")]);
        var e = Evaluate(request, At(7), Policy("base", Group("sre")), Policy("incident", Group("sre", 2)));
        Assert.Equal(["base/sre:bob", "incident/sre:bob,dave"], e.Requirements.Select(r => $"{r.Name}:{string.Join(",", r.ApprovedBy)}"));
        Assert.Equal(["bob", "dave"], e.ApprovedBy);
        Assert.Equal(At(6), e.ApprovedAt);
        Assert.Equal("base/sre 1/1, incident/sre 2/2", e.RequirementsText);
    }

    public static TheoryData<string, Review, string?> Ignored => new()
    {
        { "self", Approve("alice", At(5), "sre"), ApprovalEvaluator.IgnoredSelfApproval },
        { "ineligible", Approve("mallory", At(5), "dev"), ApprovalEvaluator.IgnoredNotEligible },
        { "no reviewer", Approve("", At(5), "sre"), ApprovalEvaluator.IgnoredNoReviewer },
        { "eligible", Approve("bob", At(5), "sre"), null },
    };

    [Theory]
    [MemberData(nameof(Ignored))]
    public void Decisions_record_why_a_review_was_not_counted(string what, Review review, string? reason)
    {
        var decision = Assert.Single(Evaluate(Req(review), At(6), Prod).Decisions);
        Assert.True(reason == decision.IgnoredReason, $"{what}: {decision.IgnoredReason}");
        Assert.Equal(review.Reviewer, decision.Reviewer);
        Assert.Equal(review.Time, decision.Time);
    }

    [Fact]
    public void Denied_names_the_reviewer_and_comment()
    {
        var e = Evaluate(Req(Deny("carol", At(6), "too risky", "security")), At(7), Prod);
        Assert.Equal("carol", e.DeniedBy?.Reviewer);
        Assert.Equal("denied by carol: too risky", e.Message);
        Assert.Null(e.NextDeadline);
        Assert.True(e.IsFinished);
    }

    [Fact]
    public void Missing_policies_are_listed_and_explained()
    {
        var e = Evaluate(Request(["prod", "gone"]), At(1), Prod);
        Assert.Equal(["gone"], e.MissingPolicies);
        Assert.StartsWith("cannot be approved: policy \"gone\" no longer exists; expires in", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Late_approval_and_window_end_are_explained()
    {
        var late = Evaluate(Req(Approve("bob", At(5), "sre"), Approve("carol", At(61), "security")), At(62), Prod);
        Assert.Equal("expired: approved at 2025-03-01T13:01:00Z, after the request expired at 2025-03-01T13:00:00Z", late.Message);
        Assert.Null(late.ApprovedAt);
        var ended = Evaluate(Req(BothApprove), At(30), Prod);
        Assert.Equal("expired: the approval by bob, carol ended at 2025-03-01T12:25:00Z", ended.Message);
    }

    private static ApprovalRequest BreakGlassRequest(params Review[] reviews)
    {
        var request = Request(["prod"], reviews: reviews);
        request.Spec.BreakGlass = true;
        request.Spec.Reason = "outage";
        return request;
    }

    public static TheoryData<string, ApprovalRequest, DateTimeOffset, BreakGlassReview, bool> BreakGlassCases => new()
    {
        { "usable at once", BreakGlassRequest(), At(1), BreakGlassReview.Pending, true },
        { "not after validFor from creation", BreakGlassRequest(), At(15), BreakGlassReview.Pending, false },
        { "reviewed afterwards", BreakGlassRequest(BothApprove), At(30), BreakGlassReview.Approved, false },
        { "rejected stops further use", BreakGlassRequest(Deny("carol", At(2), "why?", "security")), At(3), BreakGlassReview.Rejected, false },
        { "uses exhausted", WithStatus(BreakGlassRequest(), RequestPhase.BreakGlass, uses: 1), At(3), BreakGlassReview.Pending, false },
    };

    [Theory]
    [MemberData(nameof(BreakGlassCases))]
    public void Break_glass_is_usable_at_once_and_reviewed_later(string what, ApprovalRequest request, DateTimeOffset now, BreakGlassReview review, bool usable)
    {
        var e = Evaluate(request, now, Prod);
        Assert.True((RequestPhase.BreakGlass, review, usable) == (e.Phase, e.BreakGlassReview, e.IsUsable), $"{what}: {e.Phase} {e.BreakGlassReview} {e.IsUsable}");
    }
}
