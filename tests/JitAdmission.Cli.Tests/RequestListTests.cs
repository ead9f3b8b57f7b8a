using JitAdmission.Cli.Model;
using JitAdmission.Cli.Output;
using JitAdmission.Core.Api;
using static JitAdmission.Cli.Tests.TestSupport.Requests;

namespace JitAdmission.Cli.Tests;

/// <summary>kubectl jit list: pending first then newest, and the columns people read.</summary>
public class RequestListTests
{
    private static readonly ApprovalPolicy Prod = Policy();

    private static RequestView View(ApprovalRequest request, DateTimeOffset now) => RequestView.Build(Fetched(request), Policies(Prod), now);

    [Fact]
    public void Pending_requests_come_first_then_the_newest()
    {
        var now = At(30);
        var oldPending = View(Request("old-pending", created: At(0)), now);
        var newDenied = View(Request("new-denied", created: At(20), reviews: Deny("carol", At(21), "no", "security")), now);
        var newPending = View(Request("new-pending", created: At(10)), now);
        var oldDenied = View(Request("old-denied", created: At(5), reviews: Deny("carol", At(6), "no", "security")), now);

        var order = RequestOrdering.Sort([oldPending, newDenied, newPending, oldDenied]).Select(v => v.Fetched.Name);

        Assert.Equal(["new-pending", "old-pending", "new-denied", "old-denied"], order);
    }

    [Fact]
    public void The_table_shows_phase_action_requester_progress_relative_expiry_and_age()
    {
        var view = View(Request("deployments-web-0123456789", created: At(0), reviews: Approve("bob", At(1), "sre")), At(18));

        var table = RequestTable.Render([view], At(18), withNamespace: false, wide: false);
        var lines = table.TrimEnd('\n').Split('\n');

        Assert.Equal(["NAME", "PHASE", "ACTION", "REQUESTER", "APPROVALS", "EXPIRES", "AGE"], lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Matches(@"^deployments-web-0123456789\s{3,}Pending\s{3,}UPDATE deployments/web\s{3,}alice\s{3,}1/2\s{3,}in 42m\s{3,}18m$", lines[1]);
    }

    [Fact]
    public void All_namespaces_adds_the_namespace_and_wide_adds_scope_policies_and_reason()
    {
        var view = View(Request(), At(1));

        var table = RequestTable.Render([view], At(1), withNamespace: true, wide: true);
        var header = table.Split('\n')[0].Split(' ', StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal(["NAMESPACE", "NAME", "PHASE", "ACTION", "REQUESTER", "APPROVALS", "EXPIRES", "AGE", "SCOPE", "POLICIES", "REASON"], header);
        Assert.Contains("roll out 1.2.3", table, StringComparison.Ordinal);
    }

    [Fact]
    public void Expires_shows_the_approval_window_once_approved_and_nothing_once_denied()
    {
        var approved = View(Request(reviews: [Approve("bob", At(1), "sre"), Approve("carol", At(2), "security")]), At(5));
        var denied = View(Request(reviews: Deny("carol", At(2), "no", "security")), At(5));
        var expired = View(Request(), At(70));

        Assert.Equal("in 12m", RequestTable.Expires(approved, At(5)));
        Assert.Equal("-", RequestTable.Expires(denied, At(5)));
        Assert.Equal("10m ago", RequestTable.Expires(expired, At(70)));
    }
}
