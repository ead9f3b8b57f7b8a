using JitAdmission.Core.Api;
using JitAdmission.Integration.Tests.Infrastructure;
using JitAdmission.Kubernetes.Tests.Support;
using k8s;

namespace JitAdmission.Integration.Tests.Chart;

/// <summary>
/// A cluster that installed an earlier version: `helm upgrade` to this chart (Helm never upgrades crds/), then this
/// version's program, as the chart's ServiceAccount, brings the CRDs up to date, so a field added since (spec.object)
/// is kept, not pruned; `helm uninstall` then leaves no webhook configuration and no RBAC behind.
/// </summary>
public sealed class ChartUpgradeTests : IAsyncLifetime
{
    private const string Release = "jit-admission";
    private const string Ns = "jit-upgrade";
    private static readonly string OldChart = Path.Combine(ChartTools.RepoRoot, "tests", "JitAdmission.Integration.Tests", "Chart", "Data", "jit-admission-d94cb0c.tgz");
    private readonly KubeSandbox _sandbox = new();

    public Task InitializeAsync() => _sandbox.InitializeAsync();

    public Task DisposeAsync() => _sandbox.DisposeAsync();

    private async Task HelmAsync(params string[] args)
    {
        var helm = await ChartTools.RunHelmAsync(args, kubeconfig: _sandbox.AdminKubeconfig);
        Assert.True(helm.Succeeded, helm.ToString());
    }

    /// <summary>Whether the installed ApprovalRequest CRD has spec.object (added after d94cb0c).</summary>
    private async Task<bool> HasObjectFieldAsync() =>
        (await _sandbox.AdminKubectlAsync("get", "crd", "approvalrequests.jitadmission.io", "-o",
            "jsonpath={.spec.versions[0].schema.openAPIV3Schema.properties.spec.properties.object.type}")).Stdout.Trim() == "object";

    [Fact]
    public async Task An_upgrade_from_an_earlier_chart_keeps_new_fields_and_an_uninstall_leaves_nothing_behind()
    {
        await HelmAsync("install", Release, OldChart, "--namespace", Ns, "--create-namespace");
        Assert.False(await HasObjectFieldAsync());

        await HelmAsync("upgrade", Release, ChartTools.ChartDirectory, "--namespace", Ns);
        Assert.False(await HasObjectFieldAsync(), "Helm leaves installed CRDs alone");
        await using (var jit = await ChartedJitAdmission.RunReleaseAsync(_sandbox, Release, Ns))
        {
            try
            {
                await Poll.UntilAsync(HasObjectFieldAsync, TimeSpan.FromSeconds(30), "the leader brings the CRD up to this version's");
            }
            catch (TimeoutException e)
            {
                throw new TimeoutException($"{e.Message}\n{jit.Output}", e);
            }
            await _sandbox.AdminKubectlAsync("create", "namespace", "app");
            var alice = await _sandbox.UserKubeconfigAsync("alice", "devs");
            await _sandbox.BindAsync("edit", "alice", "app");
            await _sandbox.ApplyAsync("""
                apiVersion: jitadmission.io/v1alpha1
                kind: ApprovalPolicy
                metadata: {name: app-configmaps}
                spec:
                  match: {resources: [{apiGroups: [""], resources: [configmaps], operations: [CREATE]}], namespaces: [app]}
                  approval: {approvers: [{groups: [sre]}], wait: 0s}
                """);
            await Poll.UntilAsync(async () => (await _sandbox.KubectlAsync(alice, ["create", "configmap", "cm", "-n", "app", "--from-literal=mode=x"]))
                .Stderr.Contains("needs approval", StringComparison.Ordinal), TimeSpan.FromSeconds(30), "the gate holds alice's change");

            using var admin = _sandbox.AdminClient();
            var request = (await admin.CustomObjects.ListNamespacedCustomObjectAsync<ApprovalRequestList>(ApiConstants.Group, ApiConstants.Version, "app",
                ApiConstants.RequestPlural)).Items.Single();
            Assert.Equal("x", request.Spec.Object?.GetProperty("data").GetProperty("mode").GetString());
        }

        await HelmAsync("uninstall", Release, "--namespace", Ns);
        var left = await _sandbox.AdminKubectlAsync("get", "validatingwebhookconfigurations,mutatingwebhookconfigurations,clusterroles,clusterrolebindings",
            "-l", $"app.kubernetes.io/instance={Release}", "-o", "name");
        Assert.Equal("", left.Stdout.Trim());
        Assert.False((await _sandbox.AdminKubectlAsync("get", "clusterrole", "jit-admission-approver")).Succeeded, "the people's roles go with the release");
    }
}
