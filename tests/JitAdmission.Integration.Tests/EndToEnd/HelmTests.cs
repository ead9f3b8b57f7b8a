using System.Diagnostics;
using JitAdmission.Core.Api;
using JitAdmission.Integration.Tests.Chart;
using JitAdmission.Integration.Tests.Cli;
using JitAdmission.Integration.Tests.Infrastructure;

namespace JitAdmission.Integration.Tests.EndToEnd;

/// <summary>
/// Helm releases end to end (docs/semantics.md "Helm releases"), real helm 4 as alice on the chart's replicas: the
/// release record Helm writes first asks for the revision's five gated objects (four ConfigMaps and a Deployment) as
/// one ApprovalRequest; one approval by bob and one helm run install them all, each object used once; an upgrade with
/// one changed value needs a new approval whose preview shows that difference against the live objects; a changed
/// chart, or an object written otherwise than approved, is not covered.
/// </summary>
[Collection(EndToEndGroup.Name)]
public sealed class HelmTests(JitCluster cluster) : IDisposable
{
    private readonly string _chart = Directory.CreateTempSubdirectory("jit-e2e-chart").FullName;

    public void Dispose() => Directory.Delete(_chart, recursive: true);

    private async Task<string> GatedNamespaceAsync(string wait)
    {
        var ns = await cluster.NamespaceAsync("helm");
        await cluster.ApplyAsync($$"""
            apiVersion: jitadmission.io/v1alpha1
            kind: ApprovalPolicy
            metadata:
              name: {{ns}}-changes
            spec:
              match:
                resources:
                  - apiGroups: [""]
                    resources: [configmaps]
                    operations: [CREATE, UPDATE]
                  - apiGroups: [apps]
                    resources: [deployments]
                    operations: [CREATE, UPDATE]
                namespaces: [{{ns}}]
              approval:
                approvers:
                  - name: sre
                    groups: [sre]
                wait: {{wait}}
            """);
        WriteChart();
        await JitCluster.WaitUntilGatedAsync(() => cluster.Piped("alice", Manifests.Deployment(ns, 1), "create", "--dry-run=server", "-f", "-"));
        return ns;
    }

    private Task<CommandResult> HelmAsAliceAsync(params string[] args) => ChartTools.RunHelmAsync(args, kubeconfig: cluster.KubeconfigOf("alice"));

    private async Task<ApprovalRequest> ApproveAsync(string ns, ApprovalRequest request)
    {
        cluster.Require(await cluster.ReviewAsync("bob", ns, request.Metadata.Name, "bob"));
        await Kubernetes.Tests.Support.Poll.UntilAsync(async () => (await cluster.RequestAsync(ns, request.Metadata.Name)).Status?.Phase == RequestPhase.Approved,
            TimeSpan.FromSeconds(20), "approved");
        return request;
    }

    [Fact]
    public async Task A_helm_install_is_held_on_one_request_for_the_release_and_completes_when_bob_approves_once()
    {
        var ns = await GatedNamespaceAsync(wait: "20s");
        var clock = Stopwatch.StartNew();

        var install = HelmAsAliceAsync("install", "shop", _chart, "--namespace", ns);
        var request = await cluster.FirstRequestAsync(ns);
        Assert.False(install.IsCompleted, "helm install is held while the request is pending");
        var set = request.Spec.ChangeSet!;
        Assert.Equal(("shop", ns, 1), (set.Helm!.Release, set.Helm.Namespace, set.Helm.Revision));
        Assert.Equal(["deployments/web", "configmaps/one", "configmaps/three", "configmaps/two", "configmaps/web-config"],
            set.Objects.Select(o => $"{o.Resource}/{o.Name}").OrderBy(n => n.StartsWith("deployments", StringComparison.Ordinal) ? 0 : 1).ThenBy(n => n, StringComparer.Ordinal));
        Assert.Equal("alice", request.Spec.Requester.Username);
        cluster.Require(await cluster.ReviewAsync("bob", ns, request.Metadata.Name, "bob"));
        var result = await install;

        cluster.Require(result, "helm install");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(18), $"released on approval, not at the end of the hold ({clock.Elapsed})");
        Assert.Contains("STATUS: deployed", result.Stdout, StringComparison.Ordinal);
        var used = await cluster.RequestAsync(ns, request.Metadata.Name);
        Assert.Equal(5, used.Status!.UsedObjects!.Count);
        Assert.Equal(RequestPhase.Consumed, used.Status.Phase);
        Assert.Single(await cluster.RequestsAsync(ns));
    }

    [Fact]
    public async Task A_denied_install_leaves_no_release_behind_and_one_approval_one_retry_installs_it()
    {
        var ns = await GatedNamespaceAsync(wait: "0s");

        var first = await HelmAsAliceAsync("upgrade", "--install", "shop", _chart, "--namespace", ns);

        Assert.False(first.Succeeded);
        var request = Assert.Single(await cluster.RequestsAsync(ns));
        Assert.Contains($"Helm release shop.v1 in {ns} (the gated objects of this revision) needs approval (policy {ns}-changes)", first.Stderr, StringComparison.Ordinal);
        Assert.Contains($"kubectl jit approve {request.Metadata.Name} -n {ns}", first.Stderr, StringComparison.Ordinal);
        // Helm wrote nothing: no release record stuck in pending-install, no object.
        Assert.Equal("", (await cluster.AsAdmin("get", "secrets,configmaps,deployments", "-n", ns, "-l", "owner=helm", "-o", "name")).Stdout.Trim());
        Assert.False((await cluster.AsAdmin("get", "configmap", "one", "-n", ns)).Succeeded);

        await ApproveAsync(ns, request);
        var retried = await HelmAsAliceAsync("upgrade", "--install", "shop", _chart, "--namespace", ns);
        cluster.Require(retried, "helm upgrade --install after approval");
        Assert.Equal(RequestPhase.Consumed, (await cluster.RequestAsync(ns, request.Metadata.Name)).Status?.Phase);
    }

    [Fact]
    public async Task An_upgrade_needs_a_new_approval_showing_its_difference_and_a_changed_chart_is_not_covered()
    {
        var ns = await GatedNamespaceAsync(wait: "0s");
        Assert.False((await HelmAsAliceAsync("install", "shop", _chart, "--namespace", ns)).Succeeded);
        await ApproveAsync(ns, Assert.Single(await cluster.RequestsAsync(ns)));
        cluster.Require(await HelmAsAliceAsync("install", "shop", _chart, "--namespace", ns));

        // One changed value: a new request for revision 2; bob's describe shows that difference against the live objects.
        var upgrade = await HelmAsAliceAsync("upgrade", "shop", _chart, "--namespace", ns, "--set", "greeting=bye");
        Assert.False(upgrade.Succeeded);
        var second = Assert.Single(await cluster.RequestsAsync(ns), r => r.Spec.ChangeSet?.Helm?.Revision == 2);
        await cluster.Sandbox.BindAsync("view", "bob", ns); // bob reads the live objects with his own credentials
        var describe = await new KubectlJit(cluster.Sandbox).RunAsync(cluster.KubeconfigOf("bob"), "describe", second.Metadata.Name, "-n", ns);
        cluster.Require(describe);
        Assert.True(describe.Stdout.Contains("bye", StringComparison.Ordinal) && describe.Stdout.Contains("hello", StringComparison.Ordinal), describe.Stdout);
        await ApproveAsync(ns, second);

        // alice runs the upgrade with another value than bob approved: not covered, a new request.
        var tampered = await HelmAsAliceAsync("upgrade", "shop", _chart, "--namespace", ns, "--set", "greeting=evil");
        Assert.False(tampered.Succeeded);
        Assert.Contains("needs approval", tampered.Stderr, StringComparison.Ordinal);
        Assert.Equal(3, (await cluster.RequestsAsync(ns)).Count);

        // Nor is the approved object written any other way than approved (one field more, with Helm's field manager).
        var sideways = await cluster.Piped("alice", $$"""
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: web-config
              namespace: {{ns}}
              annotations:
                meta.helm.sh/release-name: shop
                meta.helm.sh/release-namespace: {{ns}}
              labels:
                app.kubernetes.io/managed-by: Helm
            data:
              greeting: bye
              extra: smuggled
            """, "apply", "--server-side", "--field-manager=helm", "--force-conflicts", "-f", "-");
        Assert.False(sideways.Succeeded);

        // Nor a revision with one object more than approved.
        File.WriteAllText(Path.Combine(_chart, "templates", "extra.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: extra\ndata: {k: v}\n");
        var before = (await cluster.RequestsAsync(ns)).Count;
        var extra = await HelmAsAliceAsync("upgrade", "shop", _chart, "--namespace", ns, "--set", "greeting=bye");
        Assert.False(extra.Succeeded);
        Assert.Equal(before + 1, (await cluster.RequestsAsync(ns)).Count);
        Assert.False((await cluster.AsAdmin("get", "configmap", "extra", "-n", ns)).Succeeded);
        File.Delete(Path.Combine(_chart, "templates", "extra.yaml"));

        // The approved upgrade itself goes through.
        var approved = await HelmAsAliceAsync("upgrade", "shop", _chart, "--namespace", ns, "--set", "greeting=bye");
        cluster.Require(approved, "the approved upgrade");
        Assert.Equal("bye", (await cluster.AsAdmin("get", "configmap", "web-config", "-n", ns, "-o", "jsonpath={.data.greeting}")).Stdout.Trim());
    }

    /// <summary>A chart of two gated ConfigMaps (ready at once, so helm's --wait returns), and optionally a gated Secret.</summary>
    private async Task<(string Ns, string Chart)> ConfigChartAsync(bool withSecret)
    {
        var ns = await GatedNamespaceAsync(wait: "0s");
        await cluster.ApplyAsync($$"""
            apiVersion: jitadmission.io/v1alpha1
            kind: ApprovalPolicy
            metadata:
              name: {{ns}}-secrets
            spec:
              match:
                resources: [{apiGroups: [""], resources: [secrets], operations: [CREATE]}]
                namespaces: [{{ns}}]
              approval: {approvers: [{name: sre, groups: [sre]}], wait: 0s}
            """);
        var chart = Path.Combine(_chart, "config");
        Directory.CreateDirectory(Path.Combine(chart, "templates"));
        File.WriteAllText(Path.Combine(chart, "Chart.yaml"), "apiVersion: v2\nname: config\nversion: 0.1.0\n");
        File.WriteAllText(Path.Combine(chart, "templates", "config.yaml"),
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: alpha}\ndata: {k: a}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: beta}\ndata: {k: b}\n");
        if (withSecret)
            File.WriteAllText(Path.Combine(chart, "templates", "secret.yaml"), "apiVersion: v1\nkind: Secret\nmetadata: {name: token}\nstringData: {t: x}\n");
        await JitCluster.WaitUntilGatedAsync(() => cluster.As("alice", "create", "secret", "generic", "probe", "-n", ns, "--dry-run=server"));
        return (ns, chart);
    }

    [Fact]
    public async Task After_the_approval_helm_wait_returns_and_a_rolled_back_failure_leaves_nothing_behind()
    {
        // --wait: the approved revision is applied and helm waits for it as usual.
        var (ns, chart) = await ConfigChartAsync(withSecret: false);
        Assert.False((await HelmAsAliceAsync("upgrade", "--install", "config", chart, "--namespace", ns)).Succeeded);
        await ApproveAsync(ns, Assert.Single(await cluster.RequestsAsync(ns)));
        cluster.Require(await HelmAsAliceAsync("upgrade", "--install", "config", chart, "--namespace", ns, "--wait", "--timeout", "60s"), "helm --wait");

        // --rollback-on-failure: the set covers the ConfigMaps but not the Secret (Secrets are asked for on their own), so
        // the install fails on it and Helm uninstalls what it wrote: no release, no object left.
        (ns, chart) = await ConfigChartAsync(withSecret: true);
        Assert.False((await HelmAsAliceAsync("install", "config", chart, "--namespace", ns)).Succeeded);
        var set = Assert.Single(await cluster.RequestsAsync(ns));
        Assert.Equal(["alpha", "beta"], set.Spec.ChangeSet!.Objects.Select(o => o.Name).Order(StringComparer.Ordinal));
        await ApproveAsync(ns, set);
        var failed = await HelmAsAliceAsync("install", "config", chart, "--namespace", ns, "--rollback-on-failure", "--timeout", "60s");
        Assert.False(failed.Succeeded);
        Assert.Contains($"CREATE secrets {ns}/token needs approval", failed.Stderr, StringComparison.Ordinal);
        Assert.Equal("", (await HelmAsAliceAsync("list", "--namespace", ns, "-q")).Stdout.Trim());
        Assert.False((await cluster.AsAdmin("get", "configmap", "alpha", "-n", ns)).Succeeded);
    }

    private void WriteChart()
    {
        File.WriteAllText(Path.Combine(_chart, "Chart.yaml"), "apiVersion: v2\nname: shop\nversion: 0.1.0\n");
        File.WriteAllText(Path.Combine(_chart, "values.yaml"), "greeting: hello\n");
        Directory.CreateDirectory(Path.Combine(_chart, "templates"));
        File.WriteAllText(Path.Combine(_chart, "templates", "config.yaml"), """
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: web-config
            data:
              greeting: {{ .Values.greeting | quote }}
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: one
            data: {n: "1"}
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: two
            data: {n: "2"}
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: three
            data: {n: "3"}
            ---
            apiVersion: v1
            kind: ServiceAccount
            metadata:
              name: shop
            """);
        // The Deployment the kubectl tests use, in the release's namespace.
        File.WriteAllText(Path.Combine(_chart, "templates", "deployment.yaml"), Manifests.Deployment("{{ .Release.Namespace }}", 2));
    }
}
