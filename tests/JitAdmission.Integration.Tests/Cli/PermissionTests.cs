using JitAdmission.Integration.Tests.Infrastructure;

namespace JitAdmission.Integration.Tests.Cli;

/// <summary>
/// With RBAC enforced, a refusal by the API server reaches the user as one line naming what was refused and which of
/// the chart's roles grants it, with the binding to ask for: read from the real 403, not from a stand-in.
/// </summary>
public sealed class PermissionTests(KubeSandbox sandbox) : IClassFixture<KubeSandbox>, IAsyncLifetime
{
    private const string Ns = "cli-perms";
    private CliCluster _cluster = null!;
    private string _grace = "";
    private string _frank = "";

    public async Task InitializeAsync()
    {
        _cluster = await CliCluster.SetUpAsync(sandbox, Ns, Policies.All);
        // grace is in sre (eligible under cli-deploy) and may read everything, but holds no approver role; frank has no
        // binding at all.
        _grace = await sandbox.UserKubeconfigAsync("grace", "sre");
        await sandbox.BindAsync("view", "grace", Ns);
        await sandbox.BindAsync("jit-admission-viewer", "grace");
        _frank = await sandbox.UserKubeconfigAsync("frank", "guests");
        await _cluster.CreateGatedRequestAsync("deployments-web-pppppppppp", "alice", "cli-deploy", "web", "spec.replicas: 3 -> 30");
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task An_eligible_approver_without_the_approver_role_is_told_which_binding_to_ask_for()
    {
        var result = await _cluster.Jit.RunAsync(_grace, "approve", "deployments-web-pppppppppp", "-n", Ns, "-m", "ok");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("you (grace) may not patch approvalrequests.jitadmission.io \"deployments-web-pppppppppp\" in namespace cli-perms", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("needs the ClusterRole jit-admission-approver", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("kubectl create rolebinding jit-admission-approver-grace --clusterrole=jit-admission-approver --user=grace -n cli-perms", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Stderr, StringComparison.Ordinal);
        Assert.Empty((await _cluster.GetAsync("deployments-web-pppppppppp"))["spec"]!["reviews"]?.AsArray() ?? []);
    }

    [Fact]
    public async Task A_viewer_asking_ahead_of_time_is_told_the_requester_role_comes_with_edit()
    {
        var result = await _cluster.Jit.RunAsync(_grace, "request", "--policy", "cli-exec", "--reason", "debug", "-n", Ns);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("may not create approvalrequests.jitadmission.io in namespace cli-perms", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("jit-admission-requester", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("part of edit", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Someone_with_no_binding_is_told_the_viewer_role()
    {
        var result = await _cluster.Jit.RunAsync(_frank, "list", "-n", Ns);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("may not list approvalrequests.jitadmission.io in namespace cli-perms", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("jit-admission-viewer", result.Stderr, StringComparison.Ordinal);
    }
}
