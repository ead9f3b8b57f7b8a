using JitAdmission.Core.Api;
using JitAdmission.Integration.Tests.Infrastructure;
using JitAdmission.Integration.Tests.Infrastructure.Receivers;
using JitAdmission.Kubernetes.Tests.Support;

namespace JitAdmission.Integration.Tests.EndToEnd;

/// <summary>
/// Auto-approval rules on the chart's replicas (RBAC enforced, the API server authenticating itself): a rule that holds
/// approves the entries it names at the moment of the call — alice on call creates her ConfigMap at once, the request
/// records the rule, the approval is announced like any other and addresses alice by her chat handle — while the
/// entries it does not name still need people, someone not on call waits for people, break-glass is never
/// auto-approved, and the requester cannot put herself on call.
/// </summary>
[Collection(EndToEndGroup.Name)]
public sealed class AutoApprovalTests(JitCluster cluster) : IAsyncLifetime
{
    private NotificationReceiver _receiver = null!;

    public async Task InitializeAsync() => _receiver = await NotificationReceiver.StartAsync();

    public async Task DisposeAsync() => await _receiver.DisposeAsync();

    /// <summary>
    /// A namespace alice edits, an on-call ConfigMap in a namespace she cannot write (alice is on call, bob is not), and a
    /// policy gating ConfigMap creation there: entries sre and security, rule on-call approving <paramref name="approves"/>.
    /// </summary>
    private async Task<string> SetUpAsync(string approves, string extra = "")
    {
        var ns = await cluster.NamespaceAsync("auto");
        var rota = ns + "-rota";
        cluster.Require(await cluster.AsAdmin("create", "namespace", rota));
        await cluster.ApplyAsync($$"""
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: on-call, namespace: {{rota}}}
            data: {alice: "primary, week 49"}
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: jit-admission-requesters, namespace: {{JitCluster.OperatorNamespace}}}
            data: {alice: "@alice-chat"}
            ---
            apiVersion: jitadmission.io/v1alpha1
            kind: ApprovalPolicy
            metadata: {name: {{ns}}}
            spec:
              match:
                resources: [{apiGroups: [""], resources: [configmaps], operations: [CREATE]}]
                namespaces: [{{ns}}]
              context:
              - name: oncall
                configMap: {namespace: {{rota}}, name: on-call}
              approval:
                approvers: [{name: sre, groups: [sre]}, {name: security, groups: [security]}]
                wait: 0s
                autoApprove:
                - name: on-call
                  approves: [{{approves}}]
                  rule: "context.oncall != null && has(context.oncall.data) && request.userInfo.username in context.oncall.data"
              notify:
              - {url: "{{_receiver.Url}}{{ns}}", events: [Approved, Pending], mentionRequester: true}
            {{extra}}
            """);
        await cluster.Sandbox.BindAsync("edit", "bob", ns);
        await JitCluster.WaitUntilGatedAsync(() => cluster.As("bob", "create", "configmap", "probe", "-n", ns, "--dry-run=server"));
        return ns;
    }

    private Task<CommandResult> CreateAsync(string user, string ns, string name) =>
        cluster.As(user, "create", "configmap", name, "-n", ns, "--from-literal=k=v");

    [Fact]
    public async Task A_rule_approving_every_entry_lets_the_on_call_requester_through_at_once_and_records_and_announces_it()
    {
        var ns = await SetUpAsync("sre, security");

        cluster.Require(await CreateAsync("alice", ns, "hotfix"));

        var request = Assert.Single(await cluster.RequestsAsync(ns));
        var record = Assert.Single(request.Spec.AutoApprovals!);
        Assert.Equal((ns, "on-call"), (record.Policy, record.Rule));
        Assert.Equal(["sre", "security"], record.Approves);
        Assert.Empty(request.Spec.Reviews);
        await Poll.UntilAsync(async () => (await cluster.RequestAsync(ns, request.Metadata.Name)).Status?.Phase == RequestPhase.Consumed,
            TimeSpan.FromSeconds(20), "the request recorded Consumed");
        var status = (await cluster.RequestAsync(ns, request.Metadata.Name)).Status!;
        Assert.All(status.Requirements, r => Assert.Equal($"{ns}/on-call", r.ApprovedByRule));
        Assert.Equal("2/2", status.Approvals);

        // Announced like any approval, addressed to alice by the handle the admins mapped, naming the rule.
        await Poll.UntilAsync(() => Task.FromResult(_receiver.Accepted("/" + ns).Any(r => r.Event == "Approved")),
            TimeSpan.FromSeconds(30), "the Approved notification");
        var approved = _receiver.Accepted("/" + ns).First(r => r.Event == "Approved");
        Assert.StartsWith("@alice-chat ", approved.Text, StringComparison.Ordinal);
        Assert.Contains($"approved by rule {ns}/on-call", approved.Text, StringComparison.Ordinal);
        Assert.Contains($"\"approvedByRules\":[\"{ns}/on-call\"]", approved.Body, StringComparison.Ordinal);
        Assert.DoesNotContain(_receiver.Accepted("/" + ns), r => r.Event == "Pending");

        // The approver reads who approved it with the plugin's describe as well.
        var events = await cluster.As("alice", "get", "events", "-n", ns, "--field-selector", $"involvedObject.name={request.Metadata.Name}",
            "-o", "jsonpath={range .items[*]}{.reason}|{.message}{\"\\n\"}{end}");
        cluster.Require(events);
        Assert.Contains($"rule {ns}/on-call", events.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Entries_the_rule_does_not_name_still_need_people_and_someone_not_on_call_needs_them_all()
    {
        var ns = await SetUpAsync("sre");

        var alice = await CreateAsync("alice", ns, "partial");
        Assert.False(alice.Succeeded);
        Assert.Contains("needs approval", alice.Stderr, StringComparison.Ordinal);
        var request = Assert.Single(await cluster.RequestsAsync(ns));
        await Poll.UntilAsync(async () => (await cluster.RequestAsync(ns, request.Metadata.Name)).Status?.Requirements.Count == 2,
            TimeSpan.FromSeconds(20), "the request's requirements recorded");
        var requirements = (await cluster.RequestAsync(ns, request.Metadata.Name)).Status!.Requirements;
        Assert.Equal($"{ns}/on-call", requirements.Single(r => r.Name == "sre").ApprovedByRule);
        Assert.False(requirements.Single(r => r.Name == "security").Satisfied);

        // bob (sre) cannot add anything the rule has not already given; carol (security) completes it.
        cluster.Require(await cluster.ReviewAsync("bob", ns, request.Metadata.Name, "bob"));
        Assert.Equal(RequestPhase.Pending, (await cluster.RequestAsync(ns, request.Metadata.Name)).Status?.Phase ?? RequestPhase.Pending);
        cluster.Require(await cluster.ReviewAsync("carol", ns, request.Metadata.Name, "carol"));
        await Poll.UntilAsync(async () => (await CreateAsync("alice", ns, "partial")).Succeeded, TimeSpan.FromSeconds(20), "alice's retry admitted");

        // bob is not on call: his request records no rule and needs both entries.
        var bob = await CreateAsync("bob", ns, "not-on-call");
        Assert.False(bob.Succeeded);
        var bobs = Assert.Single(await cluster.RequestsAsync(ns), r => r.Spec.Requester.Username == "bob");
        Assert.Null(bobs.Spec.AutoApprovals);
    }

    [Fact]
    public async Task The_requester_cannot_put_herself_on_call_nor_claim_a_rule_nor_have_break_glass_auto_approved()
    {
        var ns = await SetUpAsync("sre, security", extra: "  breakGlass: {users: [alice]}");
        var rota = ns + "-rota";

        // The rota is the admins' data: alice cannot edit it.
        var edit = await cluster.As("alice", "patch", "configmap", "on-call", "-n", rota, "--type=merge", "-p", "{\"data\":{\"mallory\":\"x\"}}");
        Assert.False(edit.Succeeded);
        Assert.Contains("Forbidden", edit.Stderr, StringComparison.Ordinal);

        // Nor can she write a request claiming a rule approved it (only jit-admission records that).
        var claim = await cluster.Piped("alice", $$"""
            apiVersion: jitadmission.io/v1alpha1
            kind: ApprovalRequest
            metadata: {name: claimed, namespace: {{ns}}}
            spec:
              policies: [{{ns}}]
              requester: {username: alice}
              scope: Exact
              autoApprovals: [{policy: {{ns}}, rule: on-call, approves: [sre, security]}]
            """, "create", "-f", "-");
        Assert.False(claim.Succeeded);
        Assert.Contains("spec.autoApprovals must be empty", claim.Stderr, StringComparison.Ordinal);

        // Break-glass goes ahead, recorded for people to review: the rule never reviews it.
        var glass = await cluster.Piped("alice", $$"""
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: glass
              namespace: {{ns}}
              annotations: {jitadmission.io/break-glass: "INC-7 rollback"}
            data: {k: v}
            """, "create", "-f", "-");
        cluster.Require(glass);
        var record = Assert.Single(await cluster.RequestsAsync(ns), r => r.Spec.BreakGlass);
        Assert.Null(record.Spec.AutoApprovals);
        await Poll.UntilAsync(async () => (await cluster.RequestAsync(ns, record.Metadata.Name)).Status?.Requirements.Count == 2,
            TimeSpan.FromSeconds(20), "the record's requirements");
        Assert.All((await cluster.RequestAsync(ns, record.Metadata.Name)).Status!.Requirements, r => Assert.False(r.Satisfied));
    }
}
