using System.Text.Json.Nodes;
using JitAdmission.Cli.Model;
using JitAdmission.Core.Api;
using static JitAdmission.Cli.Tests.TestSupport.Requests;

namespace JitAdmission.Cli.Tests;

/// <summary>approve/deny: the patch only appends, and a review the guard would refuse is refused before anything is written.</summary>
public class ReviewTests
{
    private static readonly ApprovalPolicy Prod = Policy();

    [Fact]
    public void The_review_is_appended_with_add_to_the_end_of_the_list()
    {
        var patch = JsonNode.Parse(ReviewPatch.Append(ReviewPatch.Review("bob", ReviewDecision.Approve, "lgtm"), hasReviewsArray: true, "42"))!.AsArray();

        var op = Assert.Single(patch)!;
        Assert.Equal("add", (string?)op["op"]);
        Assert.Equal("/spec/reviews/-", (string?)op["path"]);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"reviewer":"bob","decision":"Approve","comment":"lgtm"}"""), op["value"]));
    }

    [Fact]
    public void Without_a_reviews_array_it_is_created_only_if_nobody_changed_the_request_meanwhile()
    {
        var patch = JsonNode.Parse(ReviewPatch.Append(ReviewPatch.Review("carol", ReviewDecision.Deny, null), hasReviewsArray: false, "42"))!.AsArray();

        Assert.Equal(2, patch.Count);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"op":"test","path":"/metadata/resourceVersion","value":"42"}"""), patch[0]));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"op":"add","path":"/spec/reviews","value":[{"reviewer":"carol","decision":"Deny"}]}"""), patch[1]));
    }

    [Fact]
    public void An_eligible_approver_may_review()
    {
        Assert.Null(ReviewRefusal.Check(Fetched(Request()), Policies(Prod), Caller("bob", "sre"), ReviewDecision.Approve, null, At(1)));
    }

    [Fact]
    public void Approving_your_own_request_is_refused_with_who_can_approve()
    {
        var refusal = ReviewRefusal.Check(Fetched(Request(requester: "alice")), Policies(Prod), Caller("alice", "sre"), ReviewDecision.Approve, null, At(1));

        Assert.NotNull(refusal);
        Assert.StartsWith("you cannot approve your own request", refusal, StringComparison.Ordinal);
        Assert.Contains("ask one of sre: 1 of group sre; security: 1 of group security", refusal, StringComparison.Ordinal);
    }

    [Fact]
    public void Reviewing_twice_is_refused()
    {
        var request = Request(reviews: Approve("bob", At(1), "sre"));

        var refusal = ReviewRefusal.Check(Fetched(request), Policies(Prod), Caller("bob", "sre"), ReviewDecision.Deny, "changed my mind", At(2));

        Assert.Equal("you (bob) have already reviewed approvalrequest/deployments-web-0123456789: Approve at 2025-03-01T12:01:00Z; "
            + "there is one review per reviewer and it cannot be changed", refusal);
    }

    [Fact]
    public void The_guard_reasons_explain_other_refusals()
    {
        var denied = Request(reviews: Deny("carol", At(1), "no", "security"));

        var notApprover = ReviewRefusal.Check(Fetched(Request()), Policies(Prod), Caller("dave", "devs"), ReviewDecision.Approve, null, At(1));
        var closed = ReviewRefusal.Check(Fetched(denied), Policies(Prod), Caller("bob", "sre"), ReviewDecision.Approve, null, At(2));

        Assert.Contains("\"dave\" is not an approver for this request", notApprover, StringComparison.Ordinal);
        Assert.Contains("is already Denied", closed, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_readable_policies_only_a_second_review_is_refused_and_the_webhook_decides_the_rest()
    {
        Assert.Null(ReviewRefusal.Check(Fetched(Request(requester: "alice")), Unreadable, Caller("alice"), ReviewDecision.Approve, null, At(1)));
        Assert.NotNull(ReviewRefusal.Check(Fetched(Request(reviews: Approve("bob", At(1)))), Unreadable, Caller("bob"), ReviewDecision.Approve, null, At(2)));
    }
}
