using JitAdmission.Integration.Tests.Infrastructure;

namespace JitAdmission.Integration.Tests.Chart;

/// <summary>
/// The chart's webhook configurations take effect on their own: with no replica answering (nothing runs in the
/// sandbox), changes to the approval workflow are refused, and after `helm uninstall` nothing is gated any more.
/// A sandbox of its own, since the configurations are cluster-wide.
/// </summary>
public sealed class ChartFailClosedTests(KubeSandbox sandbox) : IClassFixture<KubeSandbox>
{
    private static readonly string Policy = File.ReadAllText(Path.Combine(ChartTools.RepoRoot, "deploy", "examples", "production-deployments.yaml"));

    [Fact]
    public async Task Without_a_running_replica_policies_are_refused_and_after_uninstall_they_are_accepted()
    {
        await ClusterTools.InstallAsync(sandbox, "jit-admission", "jit-admission");

        await DryRunUntilAsync(r => !r.Succeeded);
        var refused = await sandbox.KubectlAsync(sandbox.AdminKubeconfig, ["create", "-f", "-"], Policy);
        Assert.False(refused.Succeeded, refused.ToString());
        Assert.Contains("guard.jitadmission.io", refused.Stderr);
        Assert.Null(await ClusterTools.GetAsync(sandbox, "approvalpolicy/production-deployments", "default"));

        await ClusterTools.UninstallAsync(sandbox, "jit-admission", "jit-admission");

        await DryRunUntilAsync(r => r.Succeeded);
        var accepted = await sandbox.KubectlAsync(sandbox.AdminKubeconfig, ["create", "-f", "-"], Policy);
        Assert.True(accepted.Succeeded, accepted.ToString());
        Assert.NotNull(await ClusterTools.GetAsync(sandbox, "approvalpolicy/production-deployments", "default"));
    }

    /// <summary>
    /// The API server's webhook plugin follows configuration changes through a watch: retry briefly. A server-side
    /// dry run goes through admission (the guard has no side effects) and stores nothing.
    /// </summary>
    private async Task DryRunUntilAsync(Func<CommandResult, bool> expected)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (true)
        {
            var result = await sandbox.KubectlAsync(sandbox.AdminKubeconfig, ["create", "--dry-run=server", "-f", "-"], Policy);
            if (expected(result)) return;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"kubectl apply never gave the expected result: {result}");
            await Task.Delay(100);
        }
    }
}
