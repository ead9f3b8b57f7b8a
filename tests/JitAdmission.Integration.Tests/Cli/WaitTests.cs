using JitAdmission.Integration.Tests.Infrastructure;

namespace JitAdmission.Integration.Tests.Cli;

/// <summary>
/// kubectl jit wait: exit 0 approved, 3 denied, 4 expired, 5 timed out, 6 used up. No controller runs: where the
/// controller's status is the source of truth the test writes it as admin; otherwise the plugin evaluates the request
/// with the operator's ApprovalEvaluator (policies cli-exec and cli-short name their approvers as users, so reviews
/// count without the stamping webhook).
/// </summary>
public sealed class WaitTests(KubeSandbox sandbox) : IClassFixture<KubeSandbox>, IAsyncLifetime
{
    private const string Ns = "cli-wait";
    private CliCluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await CliCluster.SetUpAsync(sandbox, Ns, Policies.All);

    public Task DisposeAsync() => Task.CompletedTask;

    private async Task<string> RequestGrantAsync(string name)
    {
        var request = await _cluster.Jit.RunAsync(_cluster.Alice, "request", "--policy", "cli-exec", "--reason", "debugging", "--request-name", name, "-n", Ns);
        Assert.True(request.Succeeded, request.ToString());
        return name;
    }

    [Fact]
    public async Task Wait_shows_the_review_as_it_happens_and_exits_0_when_the_controller_records_the_approval()
    {
        await _cluster.CreateGatedRequestAsync("deployments-web-1010101010", "alice", "cli-deploy", "web", "spec.replicas: 3 -> 30");
        await using var wait = _cluster.Jit.Start(_cluster.Alice, "wait", "deployments-web-1010101010", "-n", Ns, "--timeout", "60s");
        await wait.WaitForStderrAsync(l => l.Contains("approvalrequest/deployments-web-1010101010: Pending, approvals 0/2", StringComparison.Ordinal));

        var approve = await _cluster.Jit.RunAsync(_cluster.Bob, "approve", "deployments-web-1010101010", "-n", Ns, "-m", "lgtm");
        Assert.True(approve.Succeeded, approve.ToString());
        await wait.WaitForStderrAsync(l => l.Contains("reviews: bob Approve", StringComparison.Ordinal));
        await _cluster.SetStatusAsync("deployments-web-1010101010", "Approved", "2/2", "approved by bob, carol");
        var result = await wait.WaitForExitAsync();

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("approvalrequest/deployments-web-1010101010 Approved: approved by bob, carol\n", result.Stdout);
    }

    [Fact]
    public async Task Wait_exits_0_when_the_approvals_meet_the_policy_even_before_the_controller_writes_a_status()
    {
        var name = await RequestGrantAsync("alice-grant-approved");
        await using var wait = _cluster.Jit.Start(_cluster.Alice, "wait", name, "-n", Ns, "--timeout", "60s");
        await wait.WaitForStderrAsync(l => l.Contains($"approvalrequest/{name}: Pending", StringComparison.Ordinal));

        Assert.True((await _cluster.Jit.RunAsync(_cluster.Carol, "approve", name, "-n", Ns)).Succeeded);
        var result = await wait.WaitForExitAsync();

        Assert.Equal(0, result.ExitCode);
        // No controller status and no stamped review time: the approval counts from now, for the policy's 30m.
        Assert.Matches($"^approvalrequest/{name} Approved: approved by carol; the approval ends in (29|30)m\n$", result.Stdout);
    }

    [Fact]
    public async Task Wait_exits_3_when_an_approver_denies()
    {
        var name = await RequestGrantAsync("alice-grant-denied");
        await using var wait = _cluster.Jit.Start(_cluster.Alice, "wait", name, "-n", Ns, "--timeout", "60s");
        await wait.WaitForStderrAsync(l => l.Contains($"approvalrequest/{name}: Pending", StringComparison.Ordinal));

        Assert.True((await _cluster.Jit.RunAsync(_cluster.Bob, "deny", name, "-n", Ns, "-m", "use the runbook instead")).Succeeded);
        var result = await wait.WaitForExitAsync();

        Assert.Equal(3, result.ExitCode);
        Assert.Equal($"approvalrequest/{name} Denied: denied by bob: use the runbook instead\n", result.Stdout);
    }

    [Fact]
    public async Task Wait_exits_4_when_nobody_approves_before_the_request_expires()
    {
        var request = await _cluster.Jit.RunAsync(_cluster.Alice, "request", "--policy", "cli-short", "--reason", "quick fix", "--resource", "deployments", "--name", "web", "--request-name", "alice-short", "-n", Ns);
        Assert.True(request.Succeeded, request.ToString());

        var result = await _cluster.Jit.RunAsync(_cluster.Alice, "wait", "alice-short", "-n", Ns, "--timeout", "60s");

        Assert.Equal(4, result.ExitCode);
        Assert.StartsWith("approvalrequest/alice-short Expired: expired at ", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("without approval", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Wait_exits_5_when_the_timeout_passes_first()
    {
        var name = await RequestGrantAsync("alice-grant-slow");

        var result = await _cluster.Jit.RunAsync(_cluster.Alice, "wait", name, "-n", Ns, "--timeout", "2s");

        Assert.Equal(5, result.ExitCode);
        Assert.StartsWith($"timed out after 2s waiting for approvalrequest/{name}: waiting for oncall-approvers 0/1", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Wait_exits_6_for_an_approval_that_is_already_used_up()
    {
        await _cluster.CreateGatedRequestAsync("deployments-used-2020202020", "alice", "cli-deploy", "used", "spec.replicas: 1 -> 2");
        await _cluster.SetStatusAsync("deployments-used-2020202020", "Consumed", "2/2", "used 1/1: the approval is spent; a new change needs a new approval");

        var result = await _cluster.Jit.RunAsync(_cluster.Alice, "wait", "deployments-used-2020202020", "-n", Ns);

        Assert.Equal(6, result.ExitCode);
        Assert.Contains("Consumed: used 1/1", result.Stdout, StringComparison.Ordinal);
    }
}
