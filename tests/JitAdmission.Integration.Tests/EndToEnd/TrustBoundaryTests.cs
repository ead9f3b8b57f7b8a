using System.Text.Json;
using JitAdmission.Core.Api;
using JitAdmission.Integration.Tests.Infrastructure;
using JitAdmission.Kubernetes.Tests.Support;
using k8s;
using static JitAdmission.Integration.Tests.EndToEnd.Manifests;

namespace JitAdmission.Integration.Tests.EndToEnd;

/// <summary>
/// The trust boundary, tried as an attacker would (docs/threat-model.md), on the chart-installed cluster where the API
/// server authenticates itself: a user with curl and their own client certificate, a requester squatting names or
/// handing objects to the garbage collector, an approver erasing records, anyone writing what approvers read.
/// </summary>
[Collection(EndToEndGroup.Name)]
public sealed class TrustBoundaryTests(JitCluster cluster)
{
    private static string ConfigMapPolicy(string name, string @namespace, string operations = "[CREATE, UPDATE]", string scope = "Exact", string extra = "") => $$"""
        apiVersion: jitadmission.io/v1alpha1
        kind: ApprovalPolicy
        metadata: {name: {{name}}}
        spec:
          match:
            resources: [{apiGroups: [""], resources: [configmaps], operations: {{operations}}}]
            namespaces: [{{@namespace}}]
          approval:
            approvers: [{name: sre, groups: [sre]}]
            scope: {{scope}}
            wait: 0s
        {{extra}}
        """;

    private static string ConfigMap(string @namespace, string name, string annotations = "") => $$"""
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: {{name}}
          namespace: {{@namespace}}{{annotations}}
        data: {mode: maintenance}
        """;

    private async Task<string> GatedAsync(string prefix, Func<string, string> policy, Func<string, Task<CommandResult>> dryRun)
    {
        var ns = await cluster.NamespaceAsync(prefix);
        await cluster.ApplyAsync(policy(ns));
        await JitCluster.WaitUntilGatedAsync(() => dryRun(ns));
        return ns;
    }

    /// <summary>curl, as any pod or user with their own client certificate could run it, straight at a replica.</summary>
    private async Task<(int Status, string Body)> CurlAsync(string path, string body, string? user)
    {
        var file = Path.Combine(cluster.Sandbox.Dir, $"forged-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, body);
        List<string> args = ["-sk", "-o", "-", "-w", "\n%{http_code}", "-X", "POST", "-H", "Content-Type: application/json", "--data-binary", "@" + file];
        if (user is not null)
            args.AddRange(["--cert", Path.Combine(cluster.Sandbox.Dir, "users", $"{user}.crt"), "--key", Path.Combine(cluster.Sandbox.Dir, "users", $"{user}.key")]);
        var curl = await ProcessRunner.RunAsync("curl", [.. args, cluster.Jit.ListenUrl + path]);
        var lines = curl.Stdout.TrimEnd().Split('\n');
        return (int.Parse(lines[^1], System.Globalization.CultureInfo.InvariantCulture), string.Join('\n', lines[..^1]));
    }

    /// <summary>An AdmissionReview claiming alice is on call and breaks glass to create a ConfigMap.</summary>
    private static string ForgedBreakGlass(string @namespace, string name) => JsonSerializer.Serialize(new
    {
        apiVersion = "admission.k8s.io/v1",
        kind = "AdmissionReview",
        request = new
        {
            uid = Guid.NewGuid().ToString(),
            kind = new { group = "", version = "v1", kind = "ConfigMap" },
            resource = new { group = "", version = "v1", resource = "configmaps" },
            requestKind = new { group = "", version = "v1", kind = "ConfigMap" },
            requestResource = new { group = "", version = "v1", resource = "configmaps" },
            name,
            @namespace,
            operation = "CREATE",
            userInfo = new { username = "alice", groups = new[] { "on-call", "system:authenticated" } },
            @object = new
            {
                apiVersion = "v1",
                kind = "ConfigMap",
                metadata = new { name, @namespace, annotations = new Dictionary<string, string> { ["jitadmission.io/break-glass"] = "INC-1 trust me" } },
                data = new { mode = "maintenance" },
            },
            dryRun = false,
            options = new { apiVersion = "meta.k8s.io/v1", kind = "CreateOptions" },
        },
    });

    [Fact]
    public async Task A_forged_review_with_a_users_certificate_or_none_is_refused_before_it_is_read_and_creates_nothing()
    {
        var ns = await GatedAsync("forge", ns => ConfigMapPolicy(ns + "-cm", ns, extra: "  breakGlass: {groups: [on-call]}"),
            ns => cluster.Piped("alice", ConfigMap(ns, "probe"), "create", "--dry-run=server", "-f", "-"));
        if (cluster.Sandbox.External) return; // user certificates exist only on the sandbox

        var withAlicesCertificate = await CurlAsync("/validate", ForgedBreakGlass(ns, "cm"), "alice");
        var withNone = await CurlAsync("/validate", ForgedBreakGlass(ns, "cm"), null);
        var atTheGuard = await CurlAsync("/guard", ForgedBreakGlass(ns, "cm"), "alice");

        Assert.Equal(401, withAlicesCertificate.Status);
        Assert.Contains("only the Kubernetes API server may call this webhook", withAlicesCertificate.Body, StringComparison.Ordinal);
        Assert.Equal(401, withNone.Status);
        Assert.Equal(401, atTheGuard.Status);
        Assert.Empty(await cluster.RequestsAsync(ns));
        // Her real change is gated as ever: no record was made that it could use.
        var real = await cluster.Piped("alice", ConfigMap(ns, "cm", "\n  annotations: {jitadmission.io/break-glass: \"INC-1 trust me\"}"), "create", "-f", "-");
        Assert.False(real.Succeeded);
        Assert.Contains($"CREATE configmaps {ns}/cm needs approval", real.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(await cluster.RequestsAsync(ns), r => r.Spec.BreakGlass);
        var metrics = await cluster.Charted.MetricsAsync(0);
        Assert.Contains("jitadmission_admission_client_refusals_total{reason=\"no_client_certificate\"}", metrics, StringComparison.Ordinal);
        Assert.Contains("jitadmission_admission_client_refusals_total{reason=\"untrusted_client_certificate\"}", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_update_handing_an_object_to_the_garbage_collector_is_gated_like_its_deletion()
    {
        var ns = await cluster.NamespaceAsync("owner");
        cluster.Require(await cluster.Piped("alice", ConfigMap(ns, "keep"), "create", "-f", "-"));
        await cluster.ApplyAsync(ConfigMapPolicy(ns + "-delete", ns, operations: "[DELETE]"));
        await JitCluster.WaitUntilGatedAsync(() => cluster.As("alice", "delete", "configmap", "keep", "-n", ns, "--dry-run=server"));

        var owner = await cluster.As("alice", "patch", "configmap", "keep", "-n", ns, "--type=merge", "-p",
            """{"metadata":{"ownerReferences":[{"apiVersion":"v1","kind":"ConfigMap","name":"gone","uid":"00000000-0000-0000-0000-000000000000"}]}}""");
        var finalizer = await cluster.As("alice", "patch", "configmap", "keep", "-n", ns, "--type=merge", "-p", """{"metadata":{"finalizers":["example.com/hold"]}}""");
        var label = await cluster.As("alice", "label", "configmap", "keep", "-n", ns, "tier=ops");

        Assert.False(owner.Succeeded);
        Assert.Contains($"UPDATE configmaps {ns}/keep needs approval (policy {ns}-delete)", owner.Stderr, StringComparison.Ordinal);
        Assert.False(finalizer.Succeeded);
        Assert.Contains("needs approval", finalizer.Stderr, StringComparison.Ordinal);
        cluster.Require(label);
        var live = await cluster.Admin.CoreV1.ReadNamespacedConfigMapAsync("keep", ns);
        Assert.Null(live.Metadata.OwnerReferences);
        Assert.Null(live.Metadata.Finalizers);
    }

    [Fact]
    public async Task A_name_squatted_ahead_of_time_does_not_block_the_change()
    {
        var ns = await GatedAsync("squat", ns => ConfigMapPolicy(ns + "-cm", ns, scope: "Object"),
            ns => cluster.Piped("alice", ConfigMap(ns, "probe"), "create", "--dry-run=server", "-f", "-"));
        await cluster.Sandbox.BindAsync("edit", "mallory", ns);
        var mallory = await cluster.Sandbox.UserKubeconfigAsync("mallory", "devs");
        // The name the gate will give alice's change (its fingerprint is of the object as the API server sends it).
        var predicted = Core.Naming.RequestNaming.Name("configmaps", "cm", Core.Fingerprinting.Fingerprint.Compute(new Core.Admission.AdmissionAttributes
        {
            Uid = "x",
            Operation = "CREATE",
            Resource = new Core.Admission.GroupVersionResource("", "v1", "configmaps"),
            Namespace = ns,
            Name = "cm",
            UserInfo = new Core.Admission.UserInfo("alice", null, []),
            Object = Core.Admission.RawObject.FromJson($$$"""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cm","namespace":"{{{ns}}}"},"data":{"mode":"maintenance"}}"""),
        }));
        var squat = await cluster.Sandbox.KubectlAsync(mallory, ["create", "-f", "-"], $$"""
            apiVersion: jitadmission.io/v1alpha1
            kind: ApprovalRequest
            metadata: {name: {{predicted}}, namespace: {{ns}}}
            spec:
              policies: [{{ns}}-cm]
              requester: {username: mallory}
              action: {operation: "*", group: "", version: v1, resource: configmaps, namespace: {{ns}}, name: cm}
              scope: Object
              reason: mine now
            """);
        cluster.Require(squat);

        var first = await cluster.Piped("alice", ConfigMap(ns, "cm"), "create", "-f", "-");

        Assert.False(first.Succeeded);
        Assert.Contains($"ApprovalRequest {predicted}-2 in namespace {ns}", first.Stderr, StringComparison.Ordinal);
        cluster.Require(await cluster.ReviewAsync("bob", ns, predicted + "-2", "bob"));
        await Poll.UntilAsync(async () => (await cluster.Piped("alice", ConfigMap(ns, "cm"), "create", "-f", "-")).Succeeded,
            TimeSpan.FromSeconds(10), "alice's change goes through once approved");
    }

    [Fact]
    public async Task Records_cannot_be_handed_to_a_controller_or_relabelled_and_deletion_is_audited()
    {
        var ns = await GatedAsync("record", ns => ConfigMapPolicy(ns + "-cm", ns),
            ns => cluster.Piped("alice", ConfigMap(ns, "probe"), "create", "--dry-run=server", "-f", "-"));
        Assert.False((await cluster.Piped("alice", ConfigMap(ns, "cm"), "create", "-f", "-")).Succeeded);
        var request = (await cluster.FirstRequestAsync(ns)).Metadata.Name;

        var owner = await cluster.As("bob", "patch", "areq", request, "-n", ns, "--type=merge", "-p",
            """{"metadata":{"ownerReferences":[{"apiVersion":"v1","kind":"ConfigMap","name":"gone","uid":"00000000-0000-0000-0000-000000000000"}]}}""");
        var finalizer = await cluster.As("root", "patch", "areq", request, "-n", ns, "--type=merge", "-p", """{"metadata":{"finalizers":["example.com/x"]}}""");
        var relabel = await cluster.As("root", "label", "areq", request, "-n", ns, "--overwrite", $"{ApiConstants.RequesterLabel}=bob");
        var delete = await cluster.As("root", "delete", "areq", request, "-n", ns);

        Assert.Contains("metadata.ownerReferences cannot be changed", owner.Stderr, StringComparison.Ordinal);
        Assert.Contains("metadata.finalizers cannot be changed", finalizer.Stderr, StringComparison.Ordinal);
        Assert.Contains("label jitadmission.io/requester is jit-admission's", relabel.Stderr, StringComparison.Ordinal);
        Assert.False(delete.Succeeded);
        var record = await cluster.RequestAsync(ns, request);
        Assert.Null(record.Metadata.OwnerReferences);
        Assert.Null(record.Metadata.Finalizers);
        // The refused deletion is an audit line of the replica that decided it.
        await Poll.UntilAsync(() => (cluster.Charted.Output.Split('\n').Any(l =>
                l.StartsWith("{\"audit\":\"jit-admission\"", StringComparison.Ordinal) && l.Contains("\"event\":\"deletion\"", StringComparison.Ordinal)
                && l.Contains($"\"name\":\"{request}\"", StringComparison.Ordinal) && l.Contains("\"by\":\"root\",\"allowed\":false", StringComparison.Ordinal))),
            TimeSpan.FromSeconds(5), "the refused deletion is audited");
    }

    [Fact]
    public async Task A_grant_without_a_namespace_made_in_a_team_namespace_covers_that_namespace_only()
    {
        var a = await cluster.NamespaceAsync("grant-a");
        var b = await cluster.NamespaceAsync("grant-b");
        var policy = a + "-cm";
        await cluster.ApplyAsync(ConfigMapPolicy(policy, "grant-*", scope: "Grant").Replace($"namespaces: [grant-*]", "namespaces: [\"grant-*\"]", StringComparison.Ordinal));
        await JitCluster.WaitUntilGatedAsync(() => cluster.Piped("alice", ConfigMap(b, "probe"), "create", "--dry-run=server", "-f", "-"));
        cluster.Require(await cluster.Piped("alice", $$"""
            apiVersion: jitadmission.io/v1alpha1
            kind: ApprovalRequest
            metadata: {name: alice-grant, namespace: {{a}}}
            spec:
              policies: [{{policy}}]
              requester: {username: alice}
              action: {operation: "*"}
              scope: Grant
              reason: maintenance
            """, "create", "-f", "-"));
        cluster.Require(await cluster.ReviewAsync("bob", a, "alice-grant", "bob"));

        await Poll.UntilAsync(async () => (await cluster.Piped("alice", ConfigMap(a, "cm"), "create", "-f", "-")).Succeeded,
            TimeSpan.FromSeconds(10), "the grant covers its own namespace");
        var elsewhere = await cluster.Piped("alice", ConfigMap(b, "cm"), "create", "-f", "-");

        Assert.False(elsewhere.Succeeded);
        Assert.Contains("needs approval", elsewhere.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Impersonating_a_kube_system_account_is_gated_and_only_the_named_controllers_are_trusted()
    {
        var ns = await cluster.NamespaceAsync("imp");
        await cluster.ApplyAsync(Deployment(ns, 1));
        await cluster.ApplyAsync(DeploymentPolicy(ns + "-deployments", ns, wait: "0s"));
        await JitCluster.WaitUntilGatedAsync(() => cluster.Piped("alice", Deployment(ns, 2), "apply", "--dry-run=server", "-f", "-"));

        // Accounts that may scale Deployments here (an add-on's, and the deployment controller's as on any cluster).
        await cluster.Sandbox.BindAsync("edit", "system:serviceaccount:kube-system:default", ns);
        await cluster.Sandbox.BindAsync("edit", "system:serviceaccount:kube-system:deployment-controller", ns);
        var asDefault = await cluster.As("root", "scale", "deployment", "web", "-n", ns, "--replicas=4", "--as=system:serviceaccount:kube-system:default");
        var asController = await cluster.As("root", "scale", "deployment", "web", "-n", ns, "--replicas=5", "--as=system:serviceaccount:kube-system:deployment-controller");

        Assert.False(asDefault.Succeeded);
        Assert.Contains("needs approval", asDefault.Stderr, StringComparison.Ordinal);
        // Trusted by name, as the threat model says: whoever may impersonate it is as powerful as the control plane.
        cluster.Require(asController);
    }

    [Fact]
    public async Task Debug_eviction_attach_and_port_forward_are_gated_by_the_shipped_examples()
    {
        var ns = await cluster.NamespaceAsync("pods");
        cluster.Require(await cluster.AsAdmin("label", "namespace", ns, "env=prod"));
        cluster.Require(await cluster.AsAdmin("apply", "-f", Path.Combine(KubeSandbox.RepoRoot(), "deploy", "examples", "production-exec.yaml"),
            "-f", Path.Combine(KubeSandbox.RepoRoot(), "deploy", "examples", "production-pod-eviction.yaml")));
        await cluster.ApplyAsync(Pod(ns, "web-0"));
        // Nothing runs in the sandbox: say the pod runs, as its kubelet would (kubectl attach and port-forward check it first).
        cluster.Require(await cluster.AsAdmin("patch", "pod", "web-0", "-n", ns, "--subresource=status", "--type=merge", "-p", """{"status":{"phase":"Running"}}"""));
        await JitCluster.WaitUntilGatedAsync(() => cluster.As("alice", "delete", "pod", "web-0", "-n", ns, "--dry-run=server"));
        using var alice = KubeSandbox.ClientFor(cluster.KubeconfigOf("alice"));

        // Held for their policies' waits (10 s and 20 s): all at once.
        var debug = cluster.As("alice", "debug", "web-0", "-n", ns, "--image=busybox", "--target=app", "--", "sleep", "1");
        var attach = cluster.As("alice", "attach", "web-0", "-n", ns, "-c", "app");
        var forward = cluster.As("alice", "port-forward", "pod/web-0", "-n", ns, "18080:80", "--pod-running-timeout=1s");
        var evict = Assert.ThrowsAsync<k8s.Autorest.HttpOperationException>(() => alice.CoreV1.CreateNamespacedPodEvictionAsync(
            new k8s.Models.V1Eviction { Metadata = new k8s.Models.V1ObjectMeta { Name = "web-0", NamespaceProperty = ns } }, "web-0", ns));
        await Task.WhenAll(debug, attach, forward, evict);

        foreach (var (what, result, subresource) in new[] { ("debug", await debug, "ephemeralcontainers"), ("attach", await attach, "attach"), ("port-forward", await forward, "portforward") })
        {
            Assert.False(result.Succeeded, what);
            Assert.Contains($"pods/{subresource} {ns}/web-0", result.Output, StringComparison.Ordinal);
            Assert.Contains("production-exec", result.Output, StringComparison.Ordinal);
        }

        var eviction = Core.Admission.GateDenial.TryRead((await evict).Response.Content);
        Assert.Equal(Core.Admission.DenialKind.NeedsApproval, eviction?.Kind);
        Assert.NotNull(await cluster.Admin.CoreV1.ReadNamespacedPodAsync("web-0", ns));
    }

    [Fact]
    public async Task What_approvers_read_cannot_be_written_by_the_requester()
    {
        var ns = await cluster.NamespaceAsync("read");
        var policy = ns + "-cm";
        await cluster.ApplyAsync(ConfigMapPolicy(policy, ns, scope: "Object"));
        string Ahead(string extra) => $$"""
            apiVersion: jitadmission.io/v1alpha1
            kind: ApprovalRequest
            metadata: {generateName: alice-, namespace: {{ns}}}
            spec:
              policies: [{{policy}}]
              requester: {username: alice}
              action: {operation: "*", group: "", version: v1, resource: configmaps, namespace: {{ns}}, name: cm}
              scope: Object
            {{extra}}
            """;

        var escape = await cluster.Piped("alice", Ahead("  reason: \"ok\\u001b[2J\\u001b[Happroved by security\""), "create", "-f", "-");
        var change = await cluster.Piped("alice", Ahead("  change: \"UPDATE: nothing to see\""), "create", "-f", "-");
        var everyone = await cluster.Piped("root", ConfigMapPolicy(ns + "-open", ns).Replace("groups: [sre]", "groups: [system:authenticated]", StringComparison.Ordinal),
            "apply", "-f", "-");

        Assert.Contains("spec.reason must be one line of plain text", escape.Stderr, StringComparison.Ordinal);
        Assert.Contains("spec.change must be empty", change.Stderr, StringComparison.Ordinal);
        Assert.False(everyone.Succeeded);
        Assert.Contains("\"system:authenticated\" is a group every account of its kind has", everyone.Stderr, StringComparison.Ordinal);
        Assert.Empty(await cluster.RequestsAsync(ns));
    }
}
