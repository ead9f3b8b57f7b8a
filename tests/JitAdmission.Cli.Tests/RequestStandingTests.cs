using JitAdmission.Cli.Kube;
using JitAdmission.Cli.Model;
using JitAdmission.Cli.Output;
using JitAdmission.Core.Api;
using static JitAdmission.Cli.Tests.TestSupport.Requests;

namespace JitAdmission.Cli.Tests;

/// <summary>kubectl jit list --mine: what each of the caller's requests waits on, from whom, and the time left.</summary>
public class RequestStandingTests
{
    private static readonly ApprovalPolicy Prod = Policy(configure: a => a.Approvers[1].Users.Add("carol"));

    private static string Standing(ApprovalRequest request, DateTimeOffset now, PolicySnapshot? policies = null) =>
        RequestStanding.Describe(RequestView.Build(Fetched(request), policies ?? Policies(Prod), now), now);

    [Fact]
    public void A_pending_request_says_whom_it_still_waits_on_and_when_it_expires()
    {
        var request = Request(reviews: Approve("bob", At(1), "sre"));

        Assert.Equal("waits for 1 of security (group security, user carol) — expires in 23m", Standing(request, At(37)));
    }

    [Fact]
    public void Without_the_policies_it_says_the_progress_the_status_records()
    {
        var request = WithControllerStatus(Request(), [Prod], At(1));

        Assert.Equal("waits for sre 0/1, security 0/1 — expires in 59m", Standing(request, At(1), Unreadable));
    }

    [Fact]
    public void A_request_whose_policy_is_gone_says_it_cannot_be_approved()
    {
        var request = Request(policies: ["gone"]);

        Assert.StartsWith("cannot be approved: policy \"gone\" no longer exists", Standing(request, At(1)), StringComparison.Ordinal);
    }

    [Fact]
    public void An_approval_says_who_approved_the_uses_left_and_how_long_it_is_valid()
    {
        var grant = Policy(configure: a =>
        {
            a.Approvers.RemoveAt(1);
            a.Scope = ApprovalScope.Object;
            a.MaxUses = 4;
            a.ValidFor = "1h";
        });
        var request = WithControllerStatus(Request(scope: ApprovalScope.Object, reviews: Approve("bob", At(1), "sre")), [grant], At(2));
        request.Status!.Uses = 1;

        Assert.Equal("approved by bob — 3 uses left, valid for 41m", Standing(request, At(20), Policies(grant)));
    }

    [Fact]
    public void A_denial_names_who_denied_and_why()
    {
        var request = Request(reviews: Deny("carol", At(2), "not during the freeze", "security"));

        Assert.Equal("denied by carol: not during the freeze", Standing(request, At(3)));
    }

    [Fact]
    public void An_expired_request_says_when_and_how_far_it_got()
    {
        var request = Request(reviews: Approve("bob", At(1), "sre"));

        Assert.Equal("expired without approval 10m ago (sre 1/1, security 0/1)", Standing(request, At(70)));
    }

    [Fact]
    public void The_mine_table_has_one_status_column_instead_of_requester_approvals_and_expiry()
    {
        var view = RequestView.Build(Fetched(Request(reviews: Approve("bob", At(1), "sre"))), Policies(Prod), At(37));

        var lines = RequestTable.Render([view], At(37), withNamespace: false, wide: false, standing: true).TrimEnd('\n').Split('\n');

        Assert.Equal(["NAME", "PHASE", "ACTION", "STATUS", "AGE"], lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Matches(@"^deployments-web-0123456789\s{3,}Pending\s{3,}UPDATE deployments/web\s{3,}waits for 1 of security \(group security, user carol\) — expires in 23m\s{3,}37m$", lines[1]);
    }
}
