using JitAdmission.Cli.Model;
using JitAdmission.Core.Api;
using static JitAdmission.Cli.Tests.TestSupport.Requests;

namespace JitAdmission.Cli.Tests;

/// <summary>list --to-review: requests waiting for a review the caller may give, by the guard's rules.</summary>
public class ReviewEligibilityTests
{
    private static RequestView View(ApprovalRequest request, ApprovalPolicy? policy = null) =>
        RequestView.Build(Fetched(request), Policies(policy ?? Policy()), At(5));

    [Fact]
    public void An_eligible_approver_sees_a_pending_request_of_someone_else()
    {
        Assert.True(ReviewEligibility.CanReview(View(Request()), Caller("bob", "sre")));
    }

    [Fact]
    public void Nobody_is_asked_to_review_their_own_request_unless_self_approval_is_allowed()
    {
        Assert.False(ReviewEligibility.CanReview(View(Request(requester: "bob")), Caller("bob", "sre")));
        Assert.True(ReviewEligibility.CanReview(View(Request(requester: "bob"), Policy(configure: a => a.AllowSelfApproval = true)), Caller("bob", "sre")));
    }

    [Fact]
    public void Those_who_reviewed_already_or_are_not_approvers_are_not_asked()
    {
        Assert.False(ReviewEligibility.CanReview(View(Request(reviews: Approve("bob", At(1), "sre"))), Caller("bob", "sre")));
        Assert.False(ReviewEligibility.CanReview(View(Request()), Caller("dave", "devs")));
    }

    [Fact]
    public void Finished_requests_are_not_to_review_but_break_glass_awaiting_its_review_is()
    {
        var denied = Request(reviews: Deny("carol", At(1), "no", "security"));
        var breakGlass = Request(scope: ApprovalScope.Grant);
        breakGlass.Spec.BreakGlass = true;

        Assert.False(ReviewEligibility.CanReview(View(denied), Caller("bob", "sre")));
        Assert.True(ReviewEligibility.CanReview(View(breakGlass, Policy(configure: a => a.Scope = ApprovalScope.Grant)), Caller("bob", "sre")));
    }

    [Fact]
    public void Without_readable_policies_every_pending_request_of_others_not_yet_reviewed_is_shown()
    {
        var view = RequestView.Build(Fetched(Request()), Unreadable, At(5));

        Assert.True(ReviewEligibility.CanReview(view, Caller("dave", "devs")));
        Assert.False(ReviewEligibility.CanReview(view, Caller("alice", "devs")));
    }
}
