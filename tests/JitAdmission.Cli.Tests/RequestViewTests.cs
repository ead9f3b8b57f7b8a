using JitAdmission.Cli.Model;
using JitAdmission.Core.Api;
using static JitAdmission.Cli.Tests.TestSupport.Requests;

namespace JitAdmission.Cli.Tests;

/// <summary>The operator's status is the source of truth when it is up to date; otherwise the plugin evaluates with the operator's code.</summary>
public class RequestViewTests
{
    private static readonly ApprovalPolicy Prod = Policy();

    [Fact]
    public void An_up_to_date_status_is_shown_as_written()
    {
        var request = Request(reviews: Approve("bob", At(1), "sre"));
        request.Status = new ApprovalRequestStatus { Phase = RequestPhase.Approved, Approvals = "2/2", ObservedGeneration = request.Metadata.Generation };

        var view = RequestView.Build(Fetched(request), Policies(Prod), At(2));

        Assert.Equal(ViewSource.Status, view.Source);
        Assert.Equal(RequestPhase.Approved, view.Phase);
        Assert.Equal("2/2", view.Approvals);
    }

    [Fact]
    public void A_status_older_than_the_latest_review_gives_way_to_the_evaluation()
    {
        var request = WithControllerStatus(Request(), [Prod], At(1));
        request.Spec.Reviews.Add(Approve("bob", At(2), "sre"));
        request.Metadata.Generation++;

        var view = RequestView.Build(Fetched(request), Policies(Prod), At(3));

        Assert.Equal(ViewSource.Evaluated, view.Source);
        Assert.Equal(RequestPhase.Pending, view.Phase);
        Assert.Equal("1/2", view.Approvals);
        Assert.Equal(["bob"], view.Requirements.Single(r => r.Name == "sre").ApprovedBy);
    }

    [Fact]
    public void Without_a_status_the_evaluation_decides_and_it_matches_what_the_controller_writes()
    {
        var request = Request(reviews: [Approve("bob", At(1), "sre"), Approve("carol", At(2), "security")]);
        var evaluated = RequestView.Build(Fetched(request), Policies(Prod), At(3));
        var controller = RequestView.Build(Fetched(WithControllerStatus(Request(reviews: [Approve("bob", At(1), "sre"), Approve("carol", At(2), "security")]), [Prod], At(3))), Policies(Prod), At(3));

        Assert.Equal(ViewSource.Evaluated, evaluated.Source);
        Assert.Equal(ViewSource.Status, controller.Source);
        Assert.Equal(RequestPhase.Approved, evaluated.Phase);
        Assert.Equal((controller.Phase, controller.Approvals, controller.ValidUntil), (evaluated.Phase, evaluated.Approvals, evaluated.ValidUntil));
    }

    [Fact]
    public void Unreadable_policies_fall_back_to_the_last_status_and_then_to_nothing_known()
    {
        var stale = WithControllerStatus(Request(), [Prod], At(1));
        stale.Metadata.Generation++;
        var fresh = Request();

        var staleView = RequestView.Build(Fetched(stale), Unreadable, At(2));
        var unknown = RequestView.Build(Fetched(fresh), Unreadable, At(2));

        Assert.Equal(ViewSource.StaleStatus, staleView.Source);
        Assert.Equal(RequestPhase.Pending, staleView.Phase);
        Assert.Equal(ViewSource.Unknown, unknown.Source);
        Assert.Null(unknown.Phase);
        Assert.True(unknown.IsPending);
        Assert.Equal("-", unknown.Approvals);
    }

    [Fact]
    public void A_request_nobody_approves_is_expired_once_its_ttl_passes()
    {
        var view = RequestView.Build(Fetched(Request()), Policies(Prod), At(60));

        Assert.Equal(RequestPhase.Expired, view.Phase);
        Assert.Equal(At(60), view.ExpiresAt);
    }
}
