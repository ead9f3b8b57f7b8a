using System.Diagnostics;
using JitAdmission.Core.Api;
using JitAdmission.Integration.Tests.Chart;
using JitAdmission.Integration.Tests.Infrastructure;

namespace JitAdmission.Integration.Tests.EndToEnd;

/// <summary>A Helm install (real helm 4, as alice) that creates a gated object is held until bob approves.</summary>
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
              name: {{ns}}-new-workloads
            spec:
              match:
                resources:
                  - apiGroups: [apps]
                    resources: [deployments]
                    operations: [CREATE]
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

    [Fact]
    public async Task A_helm_install_creating_a_gated_deployment_is_held_and_completes_when_bob_approves()
    {
        var ns = await GatedNamespaceAsync(wait: "20s");
        var clock = Stopwatch.StartNew();

        var install = HelmAsAliceAsync("install", "shop", _chart, "--namespace", ns);
        var request = await cluster.FirstRequestAsync(ns);
        Assert.False(install.IsCompleted, "helm install is held while the request is pending");
        Assert.Equal(("alice", "CREATE", "deployments", "web"),
            (request.Spec.Requester.Username, request.Spec.Action.Operation, request.Spec.Action.Resource, request.Spec.Action.Name));
        cluster.Require(await cluster.ReviewAsync("bob", ns, request.Metadata.Name, "bob"));
        var result = await install;

        cluster.Require(result, "helm install");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(18), $"released on approval, not at the end of the hold ({clock.Elapsed})");
        Assert.Contains("STATUS: deployed", result.Stdout, StringComparison.Ordinal);
        var deployment = await cluster.AsAdmin("get", "deployment", "web", "-n", ns, "-o", "jsonpath={.metadata.annotations.meta\\.helm\\.sh/release-name}");
        Assert.Equal("shop", deployment.Stdout.Trim());
        Assert.Equal(RequestPhase.Consumed, (await cluster.RequestAsync(ns, request.Metadata.Name)).Status?.Phase);
    }

    [Fact]
    public async Task A_denied_helm_install_says_how_to_get_approval_and_the_retried_upgrade_install_goes_through()
    {
        var ns = await GatedNamespaceAsync(wait: "0s");

        var first = await HelmAsAliceAsync("upgrade", "--install", "shop", _chart, "--namespace", ns);

        Assert.False(first.Succeeded);
        var request = Assert.Single(await cluster.RequestsAsync(ns));
        Assert.Contains($"CREATE deployments {ns}/web needs approval (policy {ns}-new-workloads)", first.Stderr, StringComparison.Ordinal);
        Assert.Contains($"kubectl jit approve {request.Metadata.Name} -n {ns}", first.Stderr, StringComparison.Ordinal);

        cluster.Require(await cluster.ReviewAsync("bob", ns, request.Metadata.Name, "bob"));
        var retried = await HelmAsAliceAsync("upgrade", "--install", "shop", _chart, "--namespace", ns);

        cluster.Require(retried, "helm upgrade --install after approval");
        cluster.Require(await cluster.AsAdmin("get", "deployment", "web", "-n", ns));
        Assert.Equal(RequestPhase.Consumed, (await cluster.RequestAsync(ns, request.Metadata.Name)).Status?.Phase);
    }

    private void WriteChart()
    {
        File.WriteAllText(Path.Combine(_chart, "Chart.yaml"), "apiVersion: v2\nname: shop\nversion: 0.1.0\n");
        Directory.CreateDirectory(Path.Combine(_chart, "templates"));
        File.WriteAllText(Path.Combine(_chart, "templates", "config.yaml"), """
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: web-config
            data:
              greeting: hello
            """);
        // The Deployment the kubectl tests use, in the release's namespace.
        File.WriteAllText(Path.Combine(_chart, "templates", "deployment.yaml"), Manifests.Deployment("{{ .Release.Namespace }}", 2));
    }
}
