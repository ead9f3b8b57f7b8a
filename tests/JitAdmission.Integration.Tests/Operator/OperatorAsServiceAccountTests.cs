using JitAdmission.Core.Api;
using JitAdmission.Integration.Tests.Infrastructure;
using JitAdmission.Integration.Tests.Infrastructure.Receivers;
using JitAdmission.Kubernetes.Tests.Support;
using k8s;

namespace JitAdmission.Integration.Tests.Operator;

/// <summary>
/// jit-admission installed by the chart and run as the chart's ServiceAccount, with RBAC enforced: two replicas do the
/// whole job (caches, leader election, webhook configurations, certificate Secret, Events, status writes, retention,
/// notifications) with exactly the chart's permissions, and losing the leader mid-hold lets nothing through.
/// </summary>
public sealed class OperatorAsServiceAccountTests : IAsyncLifetime
{
    private const string Release = "jit-admission";
    private const string OperatorNs = "jit-sa";
    private readonly KubeSandbox _sandbox = new();
    private ChartedJitAdmission _jit = null!;
    private NotificationReceiver _receiver = null!;
    private IKubernetes _admin = null!;
    private string _alice = "";
    private string _bob = "";

    public async Task InitializeAsync()
    {
        await _sandbox.InitializeAsync();
        _admin = _sandbox.AdminClient();
        _receiver = await NotificationReceiver.StartAsync();
        _jit = await ChartedJitAdmission.InstallAsync(_sandbox, Release, OperatorNs, replicas: 2,
            setValues: ["rbac.approvers.groups={sre}", "operator.retention=00:00:05"]);
        _alice = await _sandbox.UserKubeconfigAsync("alice", "devs");
        _bob = await _sandbox.UserKubeconfigAsync("bob", "sre");
    }

    public async Task DisposeAsync()
    {
        if (_jit is not null) await _jit.DisposeAsync();
        if (_receiver is not null) await _receiver.DisposeAsync();
        _admin?.Dispose();
        await _sandbox.DisposeAsync();
    }

    private async Task<string> GatedNamespaceAsync(string ns, string wait)
    {
        await _sandbox.AdminKubectlAsync("create", "namespace", ns);
        await _sandbox.BindAsync("edit", "alice", ns);
        await _sandbox.ApplyAsync($$"""
            apiVersion: jitadmission.io/v1alpha1
            kind: ApprovalPolicy
            metadata: {name: {{ns}}}
            spec:
              match:
                resources: [{apiGroups: [""], resources: [configmaps], operations: [CREATE]}]
                namespaces: [{{ns}}]
              approval:
                approvers: [{name: sre, groups: [sre]}]
                wait: {{wait}}
              notify: [{url: "{{_receiver.Url}}{{ns}}"}]
            """);
        await Poll.UntilAsync(async () => (await _sandbox.KubectlAsync(_alice, ["create", "configmap", "probe", "-n", ns, "--dry-run=server"]))
            .Stderr.Contains("dry run:", StringComparison.Ordinal), TimeSpan.FromSeconds(30), "the policy gates");
        return ns;
    }

    private Task<CommandResult> CreateAsync(string ns, string name) =>
        _sandbox.KubectlAsync(_alice, ["create", "configmap", name, "-n", ns, "--from-literal=mode=maintenance"], timeout: TimeSpan.FromSeconds(40));

    private async Task<List<ApprovalRequest>> RequestsAsync(string ns) =>
        [.. (await _admin.CustomObjects.ListNamespacedCustomObjectAsync<ApprovalRequestList>(ApiConstants.Group, ApiConstants.Version, ns, ApiConstants.RequestPlural)).Items];

    private Task<CommandResult> ApproveAsync(string ns, string request) =>
        _sandbox.KubectlAsync(_bob, ["patch", "areq", request, "-n", ns, "--type=json", "-p",
            """[{"op":"add","path":"/spec/reviews/-","value":{"reviewer":"bob","decision":"Approve"}}]"""]);

    [Fact]
    public async Task Two_replicas_do_the_whole_job_with_the_charts_permissions_and_nothing_is_forbidden()
    {
        var ns = await GatedNamespaceAsync("sa-flow", wait: "20s");

        var create = CreateAsync(ns, "settings");
        await Poll.UntilAsync(async () => (await RequestsAsync(ns)).Count == 1, TimeSpan.FromSeconds(20), "the held call's request");
        var request = (await RequestsAsync(ns))[0].Metadata.Name;
        var approve = await ApproveAsync(ns, request);
        var created = await create;

        Assert.True(approve.Succeeded, approve.ToString());
        Assert.True(created.Succeeded, $"{created}\n{_jit.Output}");
        // The leader: status written, Event recorded, notification sent, policy status kept, and after the retention
        // (5 s) the finished request deleted.
        var events = "";
        await Poll.UntilAsync(async () => (events = (await _sandbox.AdminKubectlAsync("get", "events", "-n", ns, "-o",
                "custom-columns=OBJECT:.involvedObject.name,REASON:.reason")).Output).Contains($"{request}   Consumed", StringComparison.Ordinal),
            TimeSpan.FromSeconds(20), $"the Consumed Event: {events}\n{_jit.Output}");
        await Poll.UntilAsync(() => _receiver.Accepted("/" + ns).Any(n => n.Event == "Approved" || n.Event == "Consumed"), TimeSpan.FromSeconds(20), "a notification");
        var policy = await _admin.CustomObjects.GetClusterCustomObjectAsync<ApprovalPolicy>(ApiConstants.Group, ApiConstants.Version, ApiConstants.PolicyPlural, ns);
        Assert.Contains(policy.Status?.Conditions ?? [], c => c.Type == "Ready" && c.Status == "True");
        await Poll.UntilAsync(async () => (await RequestsAsync(ns)).Count == 0, TimeSpan.FromSeconds(30), "the retention deletes the finished request");
        // Certificates and webhook configurations: the chart's Secret filled, both configurations carrying its CA.
        var secret = await _admin.CoreV1.ReadNamespacedSecretAsync($"{Release}-tls", OperatorNs);
        Assert.True(secret.Data?.ContainsKey("tls.crt"), "the serving certificate is in the chart's Secret");
        var stamp = await _admin.AdmissionregistrationV1.ReadMutatingWebhookConfigurationAsync(Release);
        Assert.NotEmpty(stamp.Webhooks[0].ClientConfig.CaBundle);
        Assert.NotNull(await _jit.LeaderAsync());
        // With exactly the chart's permissions nothing it asked for was refused.
        var forbidden = _jit.Output.Split('\n').Where(l => l.Contains("Forbidden", StringComparison.Ordinal) || l.Contains("forbidden", StringComparison.Ordinal)
            || l.Contains(" 403", StringComparison.Ordinal)).ToList();
        Assert.True(forbidden.Count == 0, string.Join('\n', forbidden));
    }

    [Fact]
    public async Task When_the_leader_is_killed_mid_hold_nothing_is_let_through_and_a_retry_succeeds()
    {
        var ns = await GatedNamespaceAsync("sa-kill", wait: "20s");
        var leader = await _jit.LeaderAsync() ?? throw new InvalidOperationException("no leader");
        var other = 1 - leader;
        // Only the leader serves while the call is made (the Service routes to ready replicas), so it holds the call.
        await _jit.KillAsync(other);
        await Task.Delay(TimeSpan.FromSeconds(2));

        var held = CreateAsync(ns, "flag");
        await Poll.UntilAsync(async () => (await _jit.MetricsAsync(leader)).Contains("jitadmission_held_calls 1", StringComparison.Ordinal),
            TimeSpan.FromSeconds(20), "the call is held on the leader");
        await _jit.RestartAsync(other);
        await _jit.KillAsync(leader);
        var failed = await held;

        Assert.False(failed.Succeeded, "a call in flight on a killed replica fails closed");
        Assert.False((await _sandbox.AdminKubectlAsync("get", "configmap", "flag", "-n", ns)).Succeeded);
        // The retry reaches the survivor, which finds the Pending request; once approved it goes through. (For about a
        // second the API server may still pick the dead endpoint: that attempt fails closed too, and the user retries.)
        var request = (await RequestsAsync(ns)).Single().Metadata.Name;
        Task<CommandResult> retry;
        var attempts = 0;
        do
        {
            await Task.Delay(TimeSpan.FromSeconds(1));
            retry = CreateAsync(ns, "flag");
            await Poll.UntilAsync(async () => retry.IsCompleted || (await _jit.MetricsAsync(other)).Contains("jitadmission_held_calls 1", StringComparison.Ordinal),
                TimeSpan.FromSeconds(20), "the retry is held on the survivor");
            if (retry.IsCompleted) Assert.False((await retry).Succeeded, "nothing passes before the approval");
        }
        while (retry.IsCompleted && ++attempts < 5);
        Assert.True((await ApproveAsync(ns, request)).Succeeded);
        var passed = await retry;

        Assert.True(passed.Succeeded, $"{passed}\n{_jit.Output}");
        Assert.Single(await RequestsAsync(ns));
        await Poll.UntilAsync(async () => await _jit.LeaderAsync() == other, TimeSpan.FromSeconds(40), "the survivor takes the Lease");
        await _jit.RestartAsync(leader);
    }
}

/// <summary>
/// Out of cluster with the chart's certificate Secret and <c>--webhook-url</c>: the leader points the chart's webhook
/// configurations at the URL, and the serving certificate it issues names the URL's host, so the API server's TLS check
/// passes.
/// </summary>
public sealed class WebhookUrlWithSecretCertificateTests : IAsyncLifetime
{
    private readonly KubeSandbox _sandbox = new();
    private ChartedJitAdmission _jit = null!;

    public async Task InitializeAsync()
    {
        await _sandbox.InitializeAsync();
        _jit = await ChartedJitAdmission.InstallAsync(_sandbox, "jit-admission", "jit-url", replicas: 1,
            extraArgs: (_, port) => ["--webhook-url", $"https://127.0.0.1:{port}"]);
    }

    public async Task DisposeAsync()
    {
        if (_jit is not null) await _jit.DisposeAsync();
        await _sandbox.DisposeAsync();
    }

    [Fact]
    public async Task The_api_server_calls_the_url_and_trusts_the_certificate()
    {
        using var admin = _sandbox.AdminClient();
        await Poll.UntilAsync(async () => (await admin.AdmissionregistrationV1.ReadValidatingWebhookConfigurationAsync("jit-admission")).Webhooks
            .All(w => w.ClientConfig.Url == $"https://127.0.0.1:{_jit.PortOf(0)}{(w.Name is "gate.jitadmission.io" or "release.jitadmission.io" ? "/validate" : "/guard")}"),
            TimeSpan.FromSeconds(30), "the configurations point at the URL");
        await _sandbox.AdminKubectlAsync("create", "namespace", "url");

        // A policy write goes through the guard at that URL: it succeeds only if the API server trusts the certificate.
        await Poll.UntilAsync(async () => (await _sandbox.KubectlAsync(_sandbox.AdminKubeconfig, ["apply", "-f", "-"], """
            apiVersion: jitadmission.io/v1alpha1
            kind: ApprovalPolicy
            metadata: {name: url-configmaps}
            spec:
              match: {resources: [{apiGroups: [""], resources: [configmaps], operations: [CREATE]}], namespaces: [url]}
              approval: {approvers: [{groups: [sre]}], wait: 0s}
            """)).Succeeded, TimeSpan.FromSeconds(30), "the guard answers over TLS at the URL");
        await Poll.UntilAsync(async () => (await _sandbox.AdminKubectlAsync("create", "configmap", "x", "-n", "url")).Stderr
            .Contains("needs approval", StringComparison.Ordinal), TimeSpan.FromSeconds(30), "the gate answers over TLS at the URL");
    }
}
