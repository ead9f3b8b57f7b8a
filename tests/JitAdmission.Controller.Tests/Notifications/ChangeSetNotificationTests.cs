using System.Text.Json;
using JitAdmission.Controller.Notifications;
using JitAdmission.Core.Api;
using JitAdmission.Core.Approval;
using static JitAdmission.Controller.Tests.Support.Objects;

namespace JitAdmission.Controller.Tests.Notifications;

/// <summary>
/// A change set's announcements show what the approval lets through (ChangeSetSummary, from the objects), never
/// spec.change, and give receivers that automate the objects as structured fields.
/// </summary>
public sealed class ChangeSetNotificationTests
{
    private const string Approve = "kubectl jit approve changeset-x1 -n shop";

    private static ChangeSetObject Entry(string operation, string group, string resource, string kind, string name, string json) => new()
    {
        Operation = operation, Group = group, Version = "v1", Resource = resource, Kind = kind, Namespace = "shop", Name = name,
        Fingerprint = new string('b', 64),
        Object = JsonDocument.Parse(json).RootElement.Clone(),
    };

    private static ChangeSetObject Deployment(string name, int replicas, string image = "nginx:1.27") =>
        Entry("UPDATE", "apps", "deployments", "Deployment", name,
            $$"""{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"{{name}}","namespace":"shop"},"spec":{"replicas":{{replicas}},"template":{"spec":{"containers":[{"name":"web","image":{{JsonSerializer.Serialize(image)}}}]""" + "}}}}");

    private static readonly ChangeSetObject Settings = Entry("CREATE", "", "configmaps", "ConfigMap", "settings",
        """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"settings","namespace":"shop"},"data":{"mode":"fast"}}""");

    private static ApprovalRequest Set(params ChangeSetObject[] objects)
    {
        var request = Request("shop", "changeset-x1", T0, "prod");
        request.Spec.Action = new RequestedAction();
        request.Spec.Fingerprint = "";
        request.Spec.ChangeSet = new ChangeSet { Objects = [.. objects] };
        // Written by nobody but jit-admission, and not for sets: never shown for them.
        request.Spec.Change = "UPDATE configmaps shop/harmless";
        return request;
    }

    private static readonly string Summary =
        "3 objects: create 1 ConfigMap, update 2 Deployments\n"
        + "UPDATE Deployment shop/web: replicas 3; images web=nginx:1.27\n"
        + "CREATE ConfigMap shop/settings\n"
        + "UPDATE Deployment shop/api: replicas 2; images web=nginx:1.27\n"
        + "pods affected: 5";

    [Fact]
    public void A_pending_set_shows_the_summary_of_its_objects_not_spec_change()
    {
        var request = Set(Deployment("web", 3), Settings, Deployment("api", 2));
        var evaluation = ApprovalEvaluator.Evaluate(request, [Policy("prod")], T0);

        var text = NotificationPayload.Text(request, evaluation, ApprovalAnnouncements.Pending, Approve);

        Assert.Equal(
            "Approval needed: alice wants to apply 3 objects in shop (ApprovalRequest shop/changeset-x1)\n"
            + "Reason: roll out the hotfix\n"
            + Summary + "\n"
            + "Approvals 0/1: sre 0/1; expires 2030-03-01T13:00:00Z\n"
            + $"Approve: `{Approve}`",
            text);
        Assert.DoesNotContain("harmless", text, StringComparison.Ordinal);
    }

    public static TheoryData<string, string> Announcements => new()
    {
        { ApprovalAnnouncements.Denied, "Denied: apply 3 objects in shop by alice (ApprovalRequest shop/changeset-x1)\ndenied by carol: not now\n" },
        { ApprovalExpiry.Expiring, "Expiring: apply 3 objects in shop by alice (ApprovalRequest shop/changeset-x1)\n" },
    };

    [Theory]
    [MemberData(nameof(Announcements))]
    public void Every_announcement_of_a_set_carries_its_summary(string announcement, string start)
    {
        var request = Set(Deployment("web", 3), Settings, Deployment("api", 2));
        if (announcement == ApprovalAnnouncements.Denied) request.Spec.Reviews.Add(Deny("carol", T0.AddMinutes(1), "not now", "sre"));
        var now = T0.AddMinutes(55);
        var evaluation = ApprovalEvaluator.Evaluate(request, [Policy("prod")], now);

        var text = NotificationPayload.Text(request, evaluation, announcement, Approve, now);

        Assert.StartsWith(start, text, StringComparison.Ordinal);
        Assert.Contains("\n" + Summary, text, StringComparison.Ordinal);
        Assert.DoesNotContain("harmless", text, StringComparison.Ordinal);
    }

    [Fact]
    public void The_json_lists_the_objects_for_receivers_that_automate()
    {
        var request = Set(Deployment("web", 3), Settings);
        var evaluation = ApprovalEvaluator.Evaluate(request, [Policy("prod")], T0);

        using var json = JsonDocument.Parse(NotificationPayload.Build(request, evaluation, ApprovalAnnouncements.Pending));
        var info = json.RootElement.GetProperty("request");
        var set = info.GetProperty("changeSet");

        Assert.Equal("CHANGESET 2 objects", info.GetProperty("action").GetString());
        Assert.Equal(2, set.GetProperty("count").GetInt32());
        Assert.Equal(
            [("UPDATE", "apps", "deployments", "Deployment", "shop", "web"), ("CREATE", "", "configmaps", "ConfigMap", "shop", "settings")],
            set.GetProperty("objects").EnumerateArray().Select(o => (
                o.GetProperty("operation").GetString(), o.GetProperty("group").GetString(), o.GetProperty("resource").GetString(),
                o.GetProperty("kind").GetString(), o.GetProperty("namespace").GetString(), o.GetProperty("name").GetString())));
        // The objects themselves stay in the request: a notification is no place for a whole object.
        Assert.False(set.GetProperty("objects")[0].TryGetProperty("object", out _));
    }

    [Fact]
    public void A_single_change_has_no_change_set_field()
    {
        var request = Request("shop", "r1", T0, "prod");
        var evaluation = ApprovalEvaluator.Evaluate(request, [Policy("prod")], T0);

        using var json = JsonDocument.Parse(NotificationPayload.Build(request, evaluation, ApprovalAnnouncements.Pending));

        Assert.False(json.RootElement.GetProperty("request").TryGetProperty("changeSet", out _));
    }

    [Fact]
    public void Markup_and_escape_sequences_in_an_object_reach_chat_as_text()
    {
        var request = Set(Deployment("web", 1, image: "<!channel> & \u001b[2Jnginx"));
        var evaluation = ApprovalEvaluator.Evaluate(request, [Policy("prod")], T0);

        var text = NotificationPayload.Text(request, evaluation, ApprovalAnnouncements.Pending, Approve);

        Assert.Contains("images web=&lt;!channel&gt; &amp; \\u001b[2Jnginx", text, StringComparison.Ordinal);
        Assert.DoesNotContain("<!channel>", text, StringComparison.Ordinal);
        Assert.DoesNotContain('\u001b', text);
    }

    [Fact]
    public void A_large_set_keeps_the_message_short()
    {
        var request = Set([.. Enumerable.Range(0, 50).Select(i => Deployment($"web-{i}", 2, "registry.example.com/" + new string('x', 150)))]);
        var evaluation = ApprovalEvaluator.Evaluate(request, [Policy("prod")], T0);

        var text = NotificationPayload.Text(request, evaluation, ApprovalAnnouncements.Pending, Approve);

        Assert.True(text.Length < NotificationPayload.ChangeSetSummaryChars + 400, $"{text.Length} characters");
        Assert.Contains("more objects\npods affected: 100\nApprovals", text, StringComparison.Ordinal);
    }
}
