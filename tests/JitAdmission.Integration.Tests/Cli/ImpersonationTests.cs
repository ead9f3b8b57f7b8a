using JitAdmission.Integration.Tests.Infrastructure;

namespace JitAdmission.Integration.Tests.Cli;

/// <summary>
/// The plugin acts as the same identity as kubectl: --as/--as-group like kubectl's flags, and a kubeconfig user with
/// <c>as:</c>/<c>as-groups:</c> (which the Kubernetes client library reads but would not send on its own).
/// </summary>
public sealed class ImpersonationTests(KubeSandbox sandbox) : IClassFixture<KubeSandbox>, IAsyncLifetime
{
    private const string Ns = "cli-impersonation";
    private CliCluster _cluster = null!;

    public async Task InitializeAsync()
    {
        _cluster = await CliCluster.SetUpAsync(sandbox, Ns, Policies.All);
        // erin is impersonated: what she may do is her bindings', not the impersonator's.
        await sandbox.BindAsync("jit-admission-requester", "erin");
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task As_flags_make_the_request_for_the_impersonated_user()
    {
        var request = await _cluster.Jit.RunAsync(sandbox.AdminKubeconfig, "request", "--as", "erin", "--as-group", "devs", "-p", "cli-exec", "-r", "on behalf of erin", "--request-name", "erin-exec", "-n", Ns);

        Assert.True(request.Succeeded, request.ToString());
        var requester = (await _cluster.GetAsync("erin-exec"))["spec"]!["requester"]!;
        Assert.Equal("erin", (string?)requester["username"]);
        Assert.Equal(["devs", "system:authenticated"], requester["groups"]!.AsArray().Select(g => (string?)g));
    }

    [Fact]
    public async Task A_kubeconfig_that_impersonates_reviews_as_that_user_like_kubectl_does()
    {
        var kubeconfig = Path.Combine(sandbox.Dir, "admin-as-bob.kubeconfig");
        var yaml = await File.ReadAllTextAsync(sandbox.AdminKubeconfig);
        await File.WriteAllTextAsync(kubeconfig, yaml.Replace("    client-key-data:", "    as: bob\n    as-groups: [sre]\n    client-key-data:", StringComparison.Ordinal));
        var whoami = await sandbox.KubectlAsync(kubeconfig, ["auth", "whoami", "-o", "jsonpath={.status.userInfo.username}"]);
        Assert.Equal("bob", whoami.Stdout.Trim());
        await _cluster.CreateGatedRequestAsync("deployments-imp-5050505050", "alice", "cli-deploy", "imp", "spec.replicas: 1 -> 2");

        var approve = await _cluster.Jit.RunAsync(kubeconfig, "approve", "deployments-imp-5050505050", "-n", Ns);

        Assert.True(approve.Succeeded, approve.ToString());
        Assert.StartsWith("approvalrequest/deployments-imp-5050505050 approved by bob", approve.Stdout, StringComparison.Ordinal);
        Assert.Equal("bob", (string?)(await _cluster.GetAsync("deployments-imp-5050505050"))["spec"]!["reviews"]![0]!["reviewer"]);
    }
}
