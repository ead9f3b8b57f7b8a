using JitAdmission.Cli.Model;
using JitAdmission.Cli.Output;
using JitAdmission.Core.Api;
using static JitAdmission.Cli.Tests.TestSupport.Requests;

namespace JitAdmission.Cli.Tests;

/// <summary>describe tells an approver what, who, why, the change, who still has to approve, what was decided, and how to approve.</summary>
public class RequestDescriptionTests
{
    [Fact]
    public void An_approver_sees_everything_needed_to_decide()
    {
        var request = Request(reviews: Approve("bob", At(1), "sre"));
        request.Spec.Reviews[0].Comment = "lgtm";
        var text = RequestDescription.Render(RequestView.Build(Fetched(request), Policies(Policy()), At(2)), At(2));

        Assert.Contains("Action:       UPDATE deployments/web", text, StringComparison.Ordinal);
        Assert.Contains("Requester:    alice", text, StringComparison.Ordinal);
        Assert.Contains("  Groups:     devs", text, StringComparison.Ordinal);
        Assert.Contains("Reason:       \"roll out 1.2.3\" (written by alice)", text, StringComparison.Ordinal);
        Assert.Contains("Policies:     prod", text, StringComparison.Ordinal);
        Assert.Contains("Expires:      2025-03-01T13:00:00Z (in 58m)", text, StringComparison.Ordinal);
        Assert.Contains("Change:\n  spec.replicas: 3 -> 30\n", text, StringComparison.Ordinal);
        Assert.Contains("Requirements (approvals 1/2):", text, StringComparison.Ordinal);
        Assert.Matches(@"\n  sre\s+1/1 ok\s+bob\s+group sre\n", text);
        Assert.Matches(@"\n  security\s+0/1\s+-\s+group security\n", text);
        Assert.Matches(@"\n  2025-03-01T12:01:00Z\s+bob\s+Approve\s+lgtm\s+yes\n", text);
        Assert.Contains("To approve:   kubectl jit approve deployments-web-0123456789 -n prod", text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_decided_request_has_no_approve_command_and_says_who_denied()
    {
        var request = Request(reviews: Deny("carol", At(1), "not on a friday", "security"));
        var text = RequestDescription.Render(RequestView.Build(Fetched(request), Policies(Policy()), At(2)), At(2));

        Assert.Contains("Phase:        Denied", text, StringComparison.Ordinal);
        Assert.Contains("denied by carol: not on a friday", text, StringComparison.Ordinal);
        Assert.DoesNotContain("To approve:", text, StringComparison.Ordinal);
    }
}
