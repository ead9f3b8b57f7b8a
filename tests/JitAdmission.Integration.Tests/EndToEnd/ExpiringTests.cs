using JitAdmission.Integration.Tests.Infrastructure;
using JitAdmission.Integration.Tests.Infrastructure.Receivers;
using JitAdmission.Kubernetes.Tests.Support;

namespace JitAdmission.Integration.Tests.EndToEnd;

/// <summary>
/// Requesters are told before time runs out: the controller (the chart's replicas, RBAC enforced) records one Warning
/// Event <c>Expiring</c> on a pending request before it expires unreviewed, saying whom it waits on, and one on an
/// approval before its window ends, saying who approved and the uses left (docs/approvals.md, Expiring announcements).
/// </summary>
[Collection(EndToEndGroup.Name)]
public sealed class ExpiringTests(JitCluster cluster) : IAsyncLifetime
{
    private NotificationReceiver _receiver = null!;

    public async Task InitializeAsync() => _receiver = await NotificationReceiver.StartAsync();

    public async Task DisposeAsync() => await _receiver.DisposeAsync();

    private async Task<string> NamespaceWithPolicyAsync(string requestTtl, string validFor)
    {
        var ns = await cluster.NamespaceAsync("expiring");
        await cluster.ApplyAsync($$"""
            apiVersion: jitadmission.io/v1alpha1
            kind: ApprovalPolicy
            metadata: {name: {{ns}}}
            spec:
              match: {resources: [{apiGroups: [""], resources: [configmaps], operations: [CREATE]}], namespaces: [{{ns}}]}
              approval: {approvers: [{name: sre, groups: [sre]}], scope: Grant, wait: 0s, requestTTL: {{requestTtl}}, validFor: {{validFor}}}
              notify:
              - {url: "{{_receiver.Url}}{{ns}}", events: [Pending], mentionRequester: true}
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: jit-admission-requesters, namespace: {{JitCluster.OperatorNamespace}}}
            data: {alice: "@alice-chat"}
            """);
        await JitCluster.WaitUntilGatedAsync(() => cluster.As("alice", "create", "configmap", "probe", "-n", ns, "--dry-run=server"));
        return ns;
    }

    private async Task<string> GrantAsync(string ns, string name)
    {
        cluster.Require(await cluster.Piped("alice", Manifests.ConfigMapGrant(name, ns, ns), "create", "-f", "-"));
        return name;
    }

    /// <summary>The Expiring Events on the request, as alice reads them (type and message per line).</summary>
    private async Task<string[]> ExpiringEventsAsync(string ns, string request)
    {
        var events = await cluster.As("alice", "get", "events", "-n", ns, "--field-selector", $"involvedObject.name={request},reason=Expiring",
            "-o", "jsonpath={range .items[*]}{.type}|{.count}|{.message}{\"\\n\"}{end}");
        cluster.Require(events);
        return events.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    [Fact]
    public async Task A_pending_request_is_announced_once_before_it_expires_saying_whom_it_waits_on()
    {
        // A 30 s requestTTL is announced in its last fifth: about 24 s after it was made.
        var ns = await NamespaceWithPolicyAsync(requestTtl: "30s", validFor: "10m");
        var request = await GrantAsync(ns, "alice-pending");

        await Poll.UntilAsync(async () => (await ExpiringEventsAsync(ns, request)).Length > 0, TimeSpan.FromSeconds(45), "an Expiring Event");
        var expiring = Assert.Single(await ExpiringEventsAsync(ns, request)).Split('|');
        Assert.Equal("Warning", expiring[0]);
        Assert.Contains("unless approved", expiring[2], StringComparison.Ordinal);
        Assert.Contains("sre", expiring[2], StringComparison.Ordinal);

        // The route for pending requests got it too, addressed to alice by the handle the admins mapped.
        await Poll.UntilAsync(() => Task.FromResult(_receiver.Accepted("/" + ns).Any(r => r.Event == "Expiring")), TimeSpan.FromSeconds(30), "the Expiring notification");
        var notified = _receiver.Accepted("/" + ns).Single(r => r.Event == "Expiring");
        Assert.StartsWith("@alice-chat ", notified.Text, StringComparison.Ordinal);
        Assert.Contains("unless approved", notified.Text, StringComparison.Ordinal);

        // It expires; the announcement is not repeated.
        await Poll.UntilAsync(async () => (await cluster.RequestAsync(ns, request)).Status?.Phase == Core.Api.RequestPhase.Expired, TimeSpan.FromSeconds(30), "Expired");
        Assert.Equal("1", Assert.Single(await ExpiringEventsAsync(ns, request)).Split('|')[1]);
    }

    [Fact]
    public async Task An_approval_is_announced_once_before_its_window_ends_with_who_approved_it()
    {
        var ns = await NamespaceWithPolicyAsync(requestTtl: "1h", validFor: "30s");
        var request = await GrantAsync(ns, "alice-approved");
        cluster.Require(await cluster.ReviewAsync("bob", ns, request, "bob"));

        await Poll.UntilAsync(async () => (await ExpiringEventsAsync(ns, request)).Length > 0, TimeSpan.FromSeconds(45), "an Expiring Event");
        var expiring = Assert.Single(await ExpiringEventsAsync(ns, request)).Split('|');
        Assert.Equal("Warning", expiring[0]);
        Assert.Contains("the approval by bob ends in", expiring[2], StringComparison.Ordinal);
    }
}
