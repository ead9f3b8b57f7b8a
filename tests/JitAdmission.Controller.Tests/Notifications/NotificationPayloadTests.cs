using System.Text.Json;
using JitAdmission.Controller.Notifications;
using JitAdmission.Controller.Requests;
using JitAdmission.Core.Api;
using JitAdmission.Core.Approval;
using static JitAdmission.Controller.Tests.Support.Objects;

namespace JitAdmission.Controller.Tests.Notifications;

public sealed class NotificationPayloadTests
{
    [Fact]
    public void A_pending_notification_says_who_wants_what_why_the_progress_and_how_to_approve()
    {
        var policy = Policy("prod", min: 2);
        var request = Request("shop", "deployments-web-0123456789", T0, "prod");
        var evaluation = ApprovalEvaluator.Evaluate(request, [policy], T0);

        using var json = JsonDocument.Parse(NotificationPayload.Build(request, evaluation, ApprovalAnnouncements.Pending));
        var root = json.RootElement;
        var text = root.GetProperty("text").GetString()!;

        Assert.Equal(
            "Approval needed: alice wants to UPDATE deployments/web in shop (ApprovalRequest shop/deployments-web-0123456789)\n"
            + "Reason: roll out the hotfix\n"
            + "Approvals 0/2: sre 0/2; expires 2030-03-01T13:00:00Z\n"
            + "Approve: `kubectl jit approve deployments-web-0123456789 -n shop`",
            text);
        Assert.Equal("Pending", root.GetProperty("event").GetString());
        Assert.Equal("kubectl jit approve deployments-web-0123456789 -n shop", root.GetProperty("approveCommand").GetString());
        var info = root.GetProperty("request");
        Assert.Equal(("deployments-web-0123456789", "shop", "alice", "0/2"),
            (info.GetProperty("name").GetString(), info.GetProperty("namespace").GetString(), info.GetProperty("requester").GetString(), info.GetProperty("approvals").GetString()));
        Assert.Equal("prod", info.GetProperty("policies")[0].GetString());
    }

    [Fact]
    public void Decisions_carry_the_status_message()
    {
        var request = Request("shop", "r1", T0, "prod");
        request.Spec.Reviews.Add(Deny("carol", T0.AddMinutes(1), "not during the freeze", "sre"));
        var evaluation = ApprovalEvaluator.Evaluate(request, [Policy("prod")], T0.AddMinutes(2));

        var text = NotificationPayload.Text(request, evaluation, ApprovalAnnouncements.Denied, "kubectl jit approve r1 -n shop");

        Assert.Equal("Denied: UPDATE deployments/web in shop by alice (ApprovalRequest shop/r1)\ndenied by carol: not during the freeze", text);
    }

    [Fact]
    public void An_approval_the_held_call_used_at_once_is_announced_as_the_approval_then_the_use()
    {
        var request = Request("shop", "r1", T0, "prod");
        request.Spec.Reviews.Add(Approve("bob", T0.AddMinutes(1), "sre"));
        var approved = ApprovalEvaluator.Evaluate(request, [Policy("prod")], T0.AddMinutes(1));
        request.Status = ApprovalUse.Record(new ApprovalRequestStatus(), approved, Admission("alice"), T0.AddMinutes(1));
        var consumed = ApprovalEvaluator.Evaluate(request, [Policy("prod")], T0.AddMinutes(2));

        var approvedEvent = RequestEvents.For(ApprovalAnnouncements.Approved, request, consumed);
        var usedEvent = RequestEvents.For(ApprovalAnnouncements.Consumed, request, consumed);
        var approvedText = NotificationPayload.Text(request, consumed, ApprovalAnnouncements.Approved, "kubectl jit approve r1 -n shop");

        Assert.Equal(RequestPhase.Consumed, consumed.Phase);
        Assert.Equal("UPDATE deployments/web by alice: approved by bob; the approval ends at 2030-03-01T12:16:00Z", approvedEvent.Message);
        Assert.Equal("UPDATE deployments/web by alice: used 1/1: the approval is spent; a new change needs a new approval", usedEvent.Message);
        Assert.EndsWith("\napproved by bob; the approval ends at 2030-03-01T12:16:00Z", approvedText, StringComparison.Ordinal);
    }

    [Fact]
    public void Slack_markup_in_what_users_wrote_is_escaped()
    {
        var request = Request("shop", "r1", T0, "prod");
        request.Spec.Reason = "<!channel> fix & ship";
        var evaluation = ApprovalEvaluator.Evaluate(request, [Policy("prod")], T0);

        var text = NotificationPayload.Text(request, evaluation, ApprovalAnnouncements.Pending, "kubectl jit approve r1 -n shop");

        Assert.Contains("Reason: &lt;!channel&gt; fix &amp; ship", text, StringComparison.Ordinal);
        Assert.DoesNotContain("<!channel>", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Targets_are_the_policies_notify_entries_whose_events_take_the_phase()
    {
        var a = Policy("a", configure: s => s.Notify.AddRange([
            new NotificationTarget { Url = "https://hooks.example/a", Events = [RequestPhase.Pending] },
            new NotificationTarget { Url = "https://hooks.example/all" },
            new NotificationTarget { Url = "not a url" },
        ]));
        var b = Policy("b", configure: s => s.Notify.AddRange([
            new NotificationTarget { Url = "https://hooks.example/all" },
            new NotificationTarget { Url = "ftp://hooks.example/b" },
            new NotificationTarget { Url = "http://hooks.example/b", Events = [RequestPhase.Denied, RequestPhase.BreakGlass] },
        ]));

        Assert.Equal(["https://hooks.example/a", "https://hooks.example/all"], NotificationTargets.For([a, b], RequestPhase.Pending).Select(u => u.ToString()));
        Assert.Equal(["https://hooks.example/all", "http://hooks.example/b"], NotificationTargets.For([a, b], ApprovalAnnouncements.PhaseOf(ApprovalAnnouncements.Reviewed)).Select(u => u.ToString()));
    }

    public static TheoryData<string, string, string> EventCases => new()
    {
        { ApprovalAnnouncements.Pending, "Normal", "alice requests UPDATE deployments/web: approvals 0/1 (sre 0/1); approve with: kubectl jit approve r1 -n shop" },
        { ApprovalAnnouncements.BreakGlass, "Warning", "alice used break-glass for UPDATE deployments/web: " },
        { ApprovalAnnouncements.Expired, "Normal", "UPDATE deployments/web by alice: " },
    };

    [Theory]
    [MemberData(nameof(EventCases))]
    public void Events_say_what_happened(string announcement, string type, string messageStart)
    {
        var request = Request("shop", "r1", T0, "prod");
        request.Spec.BreakGlass = announcement == ApprovalAnnouncements.BreakGlass;
        var evaluation = ApprovalEvaluator.Evaluate(request, [Policy("prod")], T0);

        var (eventType, reason, message) = RequestEvents.For(announcement, request, evaluation);

        Assert.Equal((type, announcement), (eventType, reason));
        Assert.StartsWith(messageStart, message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_expiring_pending_request_says_when_it_expires_whom_it_waits_on_and_how_to_approve()
    {
        var policy = Policy("prod", ttl: "1h", configure: s => s.Approval.Approvers[0].Users.Add("carol"));
        var request = Request("shop", "r1", T0, "prod");
        var now = T0 + TimeSpan.FromMinutes(51);
        var evaluation = ApprovalEvaluator.Evaluate(request, [policy], now);

        var text = NotificationPayload.Text(request, evaluation, ApprovalExpiry.Expiring, "kubectl jit approve r1 -n shop", now);
        var (type, reason, message) = RequestEvents.For(ApprovalExpiry.Expiring, request, evaluation, now);

        Assert.Equal(
            "Expiring: UPDATE deployments/web in shop by alice (ApprovalRequest shop/r1)\n"
            + "expires in 9m (at 2030-03-01T13:00:00Z) unless approved; waits for 1 of sre (group sre, user carol)\n"
            + "Approve: `kubectl jit approve r1 -n shop`",
            text);
        Assert.Equal(("Warning", "Expiring"), (type, reason));
        Assert.Equal("UPDATE deployments/web by alice: expires in 9m (at 2030-03-01T13:00:00Z) unless approved; waits for 1 of sre (group sre, user carol)", message);
    }

    [Fact]
    public void An_expiring_approval_says_when_it_ends_and_the_uses_left_and_goes_to_the_routes_of_approvals()
    {
        var policy = Policy("prod", validFor: "30m", configure: s =>
        {
            s.Approval.MaxUses = 3;
            s.Notify.Add(new NotificationTarget { Url = "https://hooks.example/approved", Events = [RequestPhase.Approved] });
            s.Notify.Add(new NotificationTarget { Url = "https://hooks.example/pending", Events = [RequestPhase.Pending] });
        });
        var request = Request("shop", "r1", T0, "prod");
        request.Spec.Reviews.Add(Approve("bob", T0, "sre"));
        request.Status = new ApprovalRequestStatus { Uses = 1 };
        var now = T0 + TimeSpan.FromMinutes(24);
        var evaluation = ApprovalEvaluator.Evaluate(request, [policy], now);

        var text = NotificationPayload.Text(request, evaluation, ApprovalExpiry.Expiring, "kubectl jit approve r1 -n shop", now);

        Assert.Equal(
            "Expiring: UPDATE deployments/web in shop by alice (ApprovalRequest shop/r1)\n"
            + "the approval by bob ends in 6m (at 2030-03-01T12:30:00Z); 2 uses left",
            text);
        Assert.Equal(["https://hooks.example/approved"], NotificationTargets.For([policy], evaluation.Phase).Select(u => u.ToString()));
    }
}
