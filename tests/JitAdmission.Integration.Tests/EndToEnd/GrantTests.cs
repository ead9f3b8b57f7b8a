using System.Diagnostics;
using JitAdmission.Core.Api;
using JitAdmission.Integration.Tests.Infrastructure;
using JitAdmission.Kubernetes.Tests.Support;
using static JitAdmission.Integration.Tests.EndToEnd.Manifests;

namespace JitAdmission.Integration.Tests.EndToEnd;

/// <summary>
/// Just-in-time access: <c>kubectl exec</c> (CONNECT pods/exec) is gated; a Grant requested ahead of time by alice with
/// <c>kubectl create</c> and approved by bob lets her exec again and again within its window, and not after it.
/// kube-sandbox has no kubelet, so an exec the webhook admits ends in "no kubelet" instead of a shell.
/// </summary>
[Collection(EndToEndGroup.Name)]
public sealed class GrantTests(JitCluster cluster)
{
    private const string ValidFor = "8s";

    private static string ExecPolicy(string name, string @namespace) => $$"""
        apiVersion: jitadmission.io/v1alpha1
        kind: ApprovalPolicy
        metadata:
          name: {{name}}
        spec:
          match:
            resources:
              - apiGroups: [""]
                resources: [pods/exec]
                operations: [CONNECT]
            namespaces: [{{@namespace}}]
          approval:
            approvers:
              - name: sre
                groups: [sre]
            scope: Grant
            validFor: {{ValidFor}}
            wait: 0s
        """;

    private static string GrantRequest(string name, string @namespace, string policy) => $$"""
        apiVersion: jitadmission.io/v1alpha1
        kind: ApprovalRequest
        metadata:
          name: {{name}}
          namespace: {{@namespace}}
        spec:
          policies: [{{policy}}]
          requester:
            username: alice
            groups: [devs]
          action:
            operation: "*"
            group: ""
            resource: pods
            subResource: exec
            namespace: {{@namespace}}
          scope: Grant
          reason: debug the payment timeouts
        """;

    private Task<CommandResult> ExecAsync(string ns) => cluster.As("alice", "exec", "-n", ns, "web-0", "--", "true");

    private static bool Admitted(CommandResult exec) => exec.Stderr.Contains("no kubelet", StringComparison.Ordinal);

    private static bool NeedsApproval(CommandResult exec) => exec.Stderr.Contains("needs approval", StringComparison.Ordinal);

    [Fact]
    public async Task A_grant_lets_alice_exec_repeatedly_within_its_window_and_not_after()
    {
        var ns = await cluster.NamespaceAsync("shell");
        await cluster.ApplyAsync(Pod(ns, "web-0"));
        var policy = ns + "-exec";
        await cluster.ApplyAsync(ExecPolicy(policy, ns));

        // Before the policy is enforced an exec reaches the (missing) kubelet; then the gate refuses it.
        CommandResult gated = null!;
        await Poll.UntilAsync(async () => NeedsApproval(gated = await ExecAsync(ns)), TimeSpan.FromSeconds(30), "exec is gated");
        Assert.Contains($"CONNECT pods/exec {ns}/web-0 needs approval (policy {policy})", gated.Stderr, StringComparison.Ordinal);

        cluster.Require(await cluster.Piped("alice", GrantRequest("alice-shell", ns, policy), "create", "-f", "-"));
        Assert.True(NeedsApproval(await ExecAsync(ns)), "a grant nobody approved yet lets nothing through");
        cluster.Require(await cluster.ReviewAsync("bob", ns, "alice-shell", "bob", extra: ",\"comment\":\"go ahead\""));
        var approved = Stopwatch.StartNew();

        var first = await ExecAsync(ns);
        var second = await ExecAsync(ns);

        Assert.True(Admitted(first), first.ToString());
        Assert.True(Admitted(second), second.ToString());
        var grant = await cluster.RequestAsync(ns, "alice-shell");
        Assert.True(grant.Status?.Uses >= 2, $"each exec is recorded as a use ({grant.Status?.Uses})");
        Assert.All(grant.Status!.Usage, u => Assert.Equal("CONNECT exec", u.Operation));

        // Once the window is over, the grant no longer covers.
        CommandResult late = null!;
        await Poll.UntilAsync(async () => NeedsApproval(late = await ExecAsync(ns)), TimeSpan.FromSeconds(30), "the grant's window ends");
        Assert.True(approved.Elapsed >= TimeSpan.FromSeconds(6), $"the grant lasted its window ({approved.Elapsed})");
        Assert.NotEqual(RequestPhase.Consumed, (await cluster.RequestAsync(ns, "alice-shell")).Status?.Phase);
    }

    [Fact]
    public async Task An_exact_single_use_exec_approval_admits_the_approved_command_once_including_kubectls_protocol_fallback()
    {
        var ns = await cluster.NamespaceAsync("exact-exec");
        await cluster.ApplyAsync(Pod(ns, "web-0"));
        var policy = ns + "-exec";
        await cluster.ApplyAsync(ExecPolicy(policy, ns).Replace("scope: Grant", "scope: Exact", StringComparison.Ordinal));
        CommandResult gated = null!;
        await Poll.UntilAsync(async () => NeedsApproval(gated = await ExecAsync(ns)), TimeSpan.FromSeconds(30), "exec is gated");
        var name = gated.Stderr.Split("ApprovalRequest ")[1].Split(' ')[0];

        cluster.Require(await cluster.ReviewAsync("bob", ns, name, "bob"));
        // kubectl tries WebSocket and, when that fails after admission (no kubelet here), SPDY: two identical CONNECTs.
        var approvedRun = await ExecAsync(ns);

        Assert.True(Admitted(approvedRun), approvedRun.ToString());
        var used = await cluster.RequestAsync(ns, name);
        Assert.Equal(RequestPhase.Consumed, used.Status?.Phase);
        Assert.Equal(1, used.Status?.Uses);

        // A new run of the same command later is a new use: it needs a new approval.
        await Task.Delay(Core.Admission.AdmissionEngine.RetryGrace + TimeSpan.FromSeconds(1));
        var again = await ExecAsync(ns);
        Assert.Contains("already used", again.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_grant_for_someone_else_is_refused_at_creation()
    {
        var ns = await cluster.NamespaceAsync("grant");
        var policy = ns + "-exec";
        await cluster.ApplyAsync(ExecPolicy(policy, ns));

        // carol may ask for approvals in this namespace (she edits it), but only for herself.
        await cluster.Sandbox.BindAsync("edit", "carol", ns);
        var forged = await cluster.Piped("carol", GrantRequest("for-alice", ns, policy), "create", "-f", "-");

        Assert.False(forged.Succeeded);
        Assert.Contains("spec.requester.username must be your own username \"carol\"", forged.Stderr, StringComparison.Ordinal);
    }
}
