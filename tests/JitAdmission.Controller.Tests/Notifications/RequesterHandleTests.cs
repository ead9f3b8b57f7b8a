using System.Text.Json;
using JitAdmission.Controller.Notifications;
using JitAdmission.Controller.Tests.Support;
using JitAdmission.Core.Api;
using JitAdmission.Core.Approval;
using JitAdmission.Kubernetes.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Prometheus;
using static JitAdmission.Controller.Tests.Support.Objects;

namespace JitAdmission.Controller.Tests.Notifications;

/// <summary>Routes that address the requester: the handle comes from admins' mapping, is checked, and goes only where asked.</summary>
public sealed class RequesterHandleTests
{
    private readonly FakeTimeProvider _time = new(T0);
    private readonly NotificationMetrics _metrics = new(Metrics.NewCustomRegistry());

    private sealed class Mapping(Dictionary<string, string> data) : IRequesterHandles
    {
        public string? For(string username) => RequesterHandles.Lookup(data, username);
    }

    [Theory]
    [InlineData("@alice", true)]
    [InlineData("@alice.smith-2", true)]
    [InlineData("<@U024BE7LH>", true)]
    [InlineData("alice", false)]                    // no mention at all
    [InlineData("<!channel>", false)]               // pings everyone
    [InlineData("@here", false)]                    // notifies the whole channel in Mattermost and Rocket.Chat
    [InlineData("@Channel", false)]
    [InlineData("@everyone", false)]                // Discord
    [InlineData("<https://evil.example|click>", false)]
    [InlineData("@alice <!channel>", false)]
    [InlineData("@alice\n<!channel>", false)]
    [InlineData("", false)]
    public void Only_a_plain_mention_is_a_handle(string handle, bool safe) =>
        Assert.Equal(safe, RequesterHandles.IsSafe(handle));

    [Fact]
    public void The_handle_is_looked_up_by_username_and_an_unsafe_one_is_dropped()
    {
        var data = new Dictionary<string, string> { ["alice"] = " @alice ", ["mallory"] = "<!channel>" };

        Assert.Equal("@alice", RequesterHandles.Lookup(data, "alice"));
        Assert.Null(RequesterHandles.Lookup(data, "mallory"));
        Assert.Null(RequesterHandles.Lookup(data, "bob"));
        Assert.Null(RequesterHandles.Lookup(null, "alice"));
    }

    [Fact]
    public void The_addressed_message_starts_with_the_handle_and_names_it_while_the_rest_stays_escaped()
    {
        var request = Request("shop", "r1", T0, "prod");
        request.Spec.Reason = "<!channel> look";
        var evaluation = ApprovalEvaluator.Evaluate(request, [Policy("prod")], T0);

        using var json = JsonDocument.Parse(NotificationPayload.Build(request, evaluation, ApprovalAnnouncements.Pending, T0, "<@U024BE7LH>"));
        var text = json.RootElement.GetProperty("text").GetString()!;

        Assert.StartsWith("<@U024BE7LH> Approval needed: alice wants", text, StringComparison.Ordinal);
        Assert.Contains("Reason: &lt;!channel&gt; look", text, StringComparison.Ordinal);
        Assert.Equal("<@U024BE7LH>", json.RootElement.GetProperty("request").GetProperty("requesterHandle").GetString());
    }

    [Fact]
    public async Task Only_routes_that_ask_for_it_address_the_requester()
    {
        var handler = ScriptedHandler.FailingFirst(0);
        using var sender = new NotificationSender(
            new OneHttpClient(new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan }), Microsoft.Extensions.Options.Options.Create(new NotificationOptions()),
            _metrics, _time, NullLogger<NotificationSender>.Instance, new Mapping(new() { ["alice"] = "@alice" }));
        await using var run = Running.Start(sender.RunAsync);
        var policy = Policy("prod", configure: s =>
        {
            s.Notify.Add(new NotificationTarget { Url = "https://hooks.example/approvers" });
            s.Notify.Add(new NotificationTarget { Url = "https://hooks.example/requesters", MentionRequester = true });
        });
        var request = Request("shop", "r1", T0, "prod");

        sender.Notify(request, ApprovalEvaluator.Evaluate(request, [policy], T0), ApprovalAnnouncements.Pending, [policy]);

        await Poll.UntilAsync(() => handler.Received.Count == 2);
        var text = handler.Received.ToDictionary(r => r.Url.AbsolutePath, r => JsonDocument.Parse(r.Body).RootElement.GetProperty("text").GetString()!);
        Assert.StartsWith("@alice Approval needed: alice wants", text["/requesters"], StringComparison.Ordinal);
        Assert.StartsWith("Approval needed: alice wants", text["/approvers"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_requester_without_a_handle_gets_the_plain_message_on_an_addressing_route()
    {
        var handler = ScriptedHandler.FailingFirst(0);
        using var sender = new NotificationSender(
            new OneHttpClient(new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan }), Microsoft.Extensions.Options.Options.Create(new NotificationOptions()),
            _metrics, _time, NullLogger<NotificationSender>.Instance, new Mapping(new() { ["bob"] = "@bob" }));
        await using var run = Running.Start(sender.RunAsync);
        var policy = Policy("prod", configure: s => s.Notify.Add(new NotificationTarget { Url = "https://hooks.example/requesters", MentionRequester = true }));
        var request = Request("shop", "r1", T0, "prod");

        sender.Notify(request, ApprovalEvaluator.Evaluate(request, [policy], T0), ApprovalAnnouncements.Pending, [policy]);

        await Poll.UntilAsync(() => handler.Received.Count == 1);
        using var json = JsonDocument.Parse(handler.Received[0].Body);
        Assert.StartsWith("Approval needed: alice wants", json.RootElement.GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.False(json.RootElement.GetProperty("request").TryGetProperty("requesterHandle", out _));
    }

    [Fact]
    public void An_addressing_route_follows_its_event_filter()
    {
        var policy = Policy("prod", configure: s => s.Notify.Add(new NotificationTarget { Url = "https://hooks.example/r", MentionRequester = true, Events = [RequestPhase.Denied] }));

        Assert.Empty(NotificationTargets.Addressing([policy], RequestPhase.Pending));
        Assert.Equal([new Uri("https://hooks.example/r")], NotificationTargets.Addressing([policy], RequestPhase.Denied));
    }
}
