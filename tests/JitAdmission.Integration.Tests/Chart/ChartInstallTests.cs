using JitAdmission.Integration.Tests.Infrastructure;
using static JitAdmission.Integration.Tests.Chart.RenderedChart;

namespace JitAdmission.Integration.Tests.Chart;

/// <summary>
/// Real `helm install` / `helm uninstall` into a sandbox API server, which stores every object but runs nothing
/// (no --wait: no pod ever becomes ready there).
/// </summary>
public sealed class ChartInstallTests(KubeSandbox sandbox) : IClassFixture<KubeSandbox>
{
    private static readonly string[] CrdNames = ["approvalpolicies.jitadmission.io", "approvalrequests.jitadmission.io"];

    [Fact]
    public async Task Install_stores_every_object_and_uninstall_leaves_nothing_but_the_CRDs()
    {
        const string release = "jit-install";
        const string ns = "jit-install";
        await ClusterTools.InstallAsync(sandbox, release, ns);
        var objects = (await ClusterTools.ManifestAsync(sandbox, release, ns)).Objects;

        string[] kinds = ["ClusterRole", "ClusterRoleBinding", "Deployment", "Lease", "MutatingWebhookConfiguration", "PodDisruptionBudget",
            "Role", "RoleBinding", "Secret", "Service", "ServiceAccount", "ValidatingWebhookConfiguration"];
        Assert.Equal(kinds, objects.Select(o => Text(o["kind"])).Distinct().Order(StringComparer.Ordinal));
        Assert.Equal(5, objects.Count(o => Text(o["kind"]) == "ClusterRole"));
        foreach (var o in objects)
        {
            var live = await ClusterTools.GetAsync(sandbox, o, ns);
            Assert.True(live is not null, $"{ClusterTools.Reference(o)} was not stored");
            Assert.Equal(release, Text(live["metadata"]!["annotations"]!["meta.helm.sh/release-name"]));
        }

        foreach (var crd in CrdNames) Assert.NotNull(await ClusterTools.GetAsync(sandbox, $"crd/{crd}", "default"));

        await ClusterTools.UninstallAsync(sandbox, release, ns);

        foreach (var o in objects)
            Assert.True(await ClusterTools.GetAsync(sandbox, o, ns) is null, $"{ClusterTools.Reference(o)} survived helm uninstall");
        var releaseRecords = await sandbox.AdminKubectlAsync("get", "secrets", "--namespace", ns, "--selector", "owner=helm", "--output", "name");
        Assert.Equal("", releaseRecords.Stdout.Trim());
        // Helm never deletes CRDs (and with them every policy and request).
        foreach (var crd in CrdNames) Assert.NotNull(await ClusterTools.GetAsync(sandbox, $"crd/{crd}", "default"));
    }

    [Fact]
    public async Task A_release_with_every_option_on_installs_and_uninstalls_completely()
    {
        await ClusterTools.InstallStandInCrdsAsync(sandbox);
        const string release = "jit-options";
        const string ns = "jit-options";
        await ClusterTools.InstallAsync(sandbox, release, ns, ChartValues.Production);
        var objects = (await ClusterTools.ManifestAsync(sandbox, release, ns)).Objects;

        foreach (var kind in new[] { "Issuer", "Certificate", "ServiceMonitor", "PrometheusRule", "ConfigMap", "NetworkPolicy", "PodDisruptionBudget", "Secret", "Lease" })
            Assert.Contains(objects, o => Text(o["kind"]) == kind);
        foreach (var o in objects) Assert.NotNull(await ClusterTools.GetAsync(sandbox, o, ns));

        await ClusterTools.UninstallAsync(sandbox, release, ns);

        foreach (var o in objects)
            Assert.True(await ClusterTools.GetAsync(sandbox, o, ns) is null, $"{ClusterTools.Reference(o)} survived helm uninstall");
    }

    [Fact]
    public async Task The_API_server_accepts_every_rendering_with_strict_field_validation()
    {
        await ClusterTools.InstallStandInCrdsAsync(sandbox);
        await sandbox.AdminKubectlAsync("create", "namespace", ChartTools.DefaultNamespace);
        foreach (var values in new[] { null, ChartValues.Production, ChartValues.Minimal, ChartValues.ExistingIssuerAndNames })
        {
            var rendered = await ChartTools.TryTemplateAsync(values);
            Assert.True(rendered.Succeeded, rendered.ToString());

            var dryRun = await sandbox.KubectlAsync(sandbox.AdminKubeconfig,
                ["apply", "--server-side", "--dry-run=server", "--validate=strict", "--field-manager=chart-test", "-f", "-"], rendered.Stdout);

            Assert.True(dryRun.Succeeded, $"values:\n{values}\n{dryRun}");
            Assert.Equal(ChartTools.ParseObjects(rendered.Stdout).Count, dryRun.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        }
    }

    [Fact]
    public async Task The_plain_manifests_install_upgrade_and_uninstall_with_kubectl()
    {
        var main = Path.Combine(ChartTools.ManifestsDirectory, "jit-admission.yaml");
        var runtime = Path.Combine(ChartTools.ManifestsDirectory, "runtime-objects.yaml");
        var objects = ChartTools.ParseObjects(File.ReadAllText(main)).Concat(ChartTools.ParseObjects(File.ReadAllText(runtime))).ToList();
        await sandbox.AdminKubectlAsync("create", "namespace", ChartTools.DefaultNamespace);

        Assert.True((await sandbox.AdminKubectlAsync("apply", "--server-side", "-f", Path.Combine(ChartTools.RepoRoot, "crds"))).Succeeded);
        var create = await sandbox.AdminKubectlAsync("create", "-f", runtime);
        Assert.True(create.Succeeded, create.ToString());
        var apply = await sandbox.AdminKubectlAsync("apply", "--server-side", "-f", main);
        Assert.True(apply.Succeeded, apply.ToString());
        foreach (var o in objects) Assert.NotNull(await ClusterTools.GetAsync(sandbox, o, ChartTools.DefaultNamespace));

        var upgrade = await sandbox.AdminKubectlAsync("apply", "--server-side", "-f", main);
        Assert.True(upgrade.Succeeded, upgrade.ToString());

        var delete = await sandbox.AdminKubectlAsync("delete", "-f", main, "-f", runtime);
        Assert.True(delete.Succeeded, delete.ToString());
        foreach (var o in objects) Assert.Null(await ClusterTools.GetAsync(sandbox, o, ChartTools.DefaultNamespace));
    }

    [Fact]
    public async Task The_approver_and_requester_roles_and_their_example_bindings_apply()
    {
        var rbac = Path.Combine(ChartTools.RepoRoot, "deploy", "rbac");
        await sandbox.AdminKubectlAsync("create", "namespace", "payments");

        foreach (var file in new[] { "clusterroles.yaml", "example-bindings.yaml" })
        {
            // --force-conflicts: another test of this class may have left the chart's copy of the same roles.
            var apply = await sandbox.AdminKubectlAsync("apply", "--server-side", "--force-conflicts", "--validate=strict", "-f", Path.Combine(rbac, file));
            Assert.True(apply.Succeeded, apply.ToString());
        }

        var bindings = ChartTools.ParseObjects(File.ReadAllText(Path.Combine(rbac, "example-bindings.yaml")));
        Assert.NotEmpty(bindings);
        foreach (var binding in bindings)
        {
            var live = await ClusterTools.GetAsync(sandbox, binding, "payments");
            Assert.NotNull(live);
            Assert.NotNull(await ClusterTools.GetAsync(sandbox, $"clusterrole/{Text(live["roleRef"]!["name"])}", "default"));
        }
    }
}
