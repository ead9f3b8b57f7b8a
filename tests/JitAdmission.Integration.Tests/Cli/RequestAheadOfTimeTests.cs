using System.Text.Json.Nodes;
using JitAdmission.Integration.Tests.Infrastructure;

namespace JitAdmission.Integration.Tests.Cli;

/// <summary>kubectl jit request: approval asked ahead of time, always for the caller, checked like jit-admission's guard checks it.</summary>
public sealed class RequestAheadOfTimeTests(KubeSandbox sandbox) : IClassFixture<KubeSandbox>, IAsyncLifetime
{
    private const string Ns = "cli-request";
    private CliCluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await CliCluster.SetUpAsync(sandbox, Ns, Policies.All);

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task A_grant_is_created_for_the_caller_with_their_identity_and_reason()
    {
        var request = await _cluster.Jit.RunAsync(_cluster.Alice, "request", "--policy", "cli-exec", "--reason", "debug the payment outage", "-n", Ns);

        Assert.True(request.Succeeded, request.ToString());
        var created = Assert.Single(await _cluster.RequestsOfAsync("alice"), r => ((string)r["metadata"]!["name"]!).StartsWith("alice-cli-exec-", StringComparison.Ordinal));
        var name = (string)created["metadata"]!["name"]!;
        var spec = created["spec"]!;
        Assert.StartsWith("alice-cli-exec-", name, StringComparison.Ordinal);
        Assert.Equal(["cli-exec"], spec["policies"]!.AsArray().Select(p => (string?)p));
        Assert.Equal("alice", (string?)spec["requester"]!["username"]);
        Assert.Contains("devs", spec["requester"]!["groups"]!.AsArray().Select(g => (string?)g));
        Assert.Equal("*", (string?)spec["action"]!["operation"]);
        Assert.Equal(Ns, (string?)spec["action"]!["namespace"]);
        Assert.Equal("Grant", (string?)spec["scope"]);
        Assert.Equal("debug the payment outage", (string?)spec["reason"]);
        Assert.True(string.IsNullOrEmpty((string?)spec["fingerprint"]), spec.ToJsonString());
        Assert.Null(created["status"]);
        Assert.StartsWith($"approvalrequest/{name} created in namespace {Ns}: GRANT cli-exec in {Ns} for alice (Grant scope)", request.Stdout, StringComparison.Ordinal);
        Assert.Contains($"Approvers run: kubectl jit approve {name} -n {Ns}", request.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_object_request_resolves_the_type_like_kubectl_and_names_the_object()
    {
        var byShortName = await _cluster.Jit.RunAsync(_cluster.Bob, "request", "--policy", "cli-short", "--reason", "scale web", "--resource", "deploy", "--name", "web", "--request-name", "bob-web", "-n", Ns, "-o", "json");
        var byTypeSlashName = await _cluster.Jit.RunAsync(_cluster.Bob, "request", "-p", "cli-short", "-r", "scale api", "--resource", "deployments.apps/api", "--request-name", "bob-api", "-n", Ns, "-o", "name");

        Assert.True(byShortName.Succeeded, byShortName.ToString());
        var action = JsonNode.Parse(byShortName.Stdout)!["spec"]!["action"]!;
        Assert.Equal(("apps", "v1", "deployments", "Deployment", Ns, "web"),
            ((string?)action["group"], (string?)action["version"], (string?)action["resource"], (string?)action["kind"], (string?)action["namespace"], (string?)action["name"]));
        Assert.Equal("Object", (string?)(await _cluster.GetAsync("bob-web"))["spec"]!["scope"]);
        Assert.True(byTypeSlashName.Succeeded, byTypeSlashName.ToString());
        Assert.Equal("approvalrequest.jitadmission.io/bob-api", byTypeSlashName.Stdout.Trim());
        Assert.Equal("api", (string?)(await _cluster.GetAsync("bob-api"))["spec"]!["action"]!["name"]);
    }

    [Fact]
    public async Task What_jit_admission_would_refuse_is_refused_before_anything_is_created()
    {
        var exact = await _cluster.Jit.RunAsync(_cluster.Carol, "request", "--policy", "cli-deploy", "--reason", "x", "-n", Ns);
        var missing = await _cluster.Jit.RunAsync(_cluster.Carol, "request", "--policy", "no-such-policy", "--reason", "x", "-n", Ns);
        var breakGlass = await _cluster.Jit.RunAsync(_cluster.Carol, "request", "--policy", "cli-exec", "--reason", "x", "--break-glass", "-n", Ns);
        var unknownType = await _cluster.Jit.RunAsync(_cluster.Carol, "request", "--policy", "cli-short", "--reason", "x", "--resource", "widgets", "--name", "w", "-n", Ns);

        Assert.Equal(1, exact.ExitCode);
        Assert.Contains("approves exact changes only (scope Exact)", exact.Stderr, StringComparison.Ordinal);
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("ApprovalPolicy \"no-such-policy\" does not exist", missing.Stderr, StringComparison.Ordinal);
        Assert.Equal(1, breakGlass.ExitCode);
        Assert.Contains("break-glass is not allowed for \"carol\"", breakGlass.Stderr, StringComparison.Ordinal);
        Assert.Equal(2, unknownType.ExitCode);
        Assert.Contains("the server has no resource type \"widgets\"", unknownType.Stderr, StringComparison.Ordinal);
        Assert.Empty(await _cluster.RequestsOfAsync("carol"));
    }

    [Fact]
    public async Task A_break_glass_subject_gets_a_break_glass_request_to_be_reviewed_afterwards()
    {
        var request = await _cluster.Jit.RunAsync(_cluster.Dave, "request", "--policy", "cli-exec", "--reason", "prod is down, paging did not work", "--break-glass", "-n", Ns);

        Assert.True(request.Succeeded, request.ToString());
        var created = Assert.Single(await _cluster.RequestsOfAsync("dave"));
        Assert.True((bool?)created["spec"]!["breakGlass"]);
        Assert.Contains("Break-glass: you may proceed now; approvers review it afterwards", request.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Request_with_wait_returns_once_the_approvers_have_approved()
    {
        await using var waiting = _cluster.Jit.Start(_cluster.Alice, "request", "--policy", "cli-exec", "--reason", "rotate the certificates", "--request-name", "alice-rotate", "-n", Ns, "--wait", "--timeout", "60s");
        await waiting.WaitForStderrAsync(line => line.Contains("approvalrequest/alice-rotate: Pending, approvals 0/1", StringComparison.Ordinal));

        var approve = await _cluster.Jit.RunAsync(_cluster.Bob, "approve", "alice-rotate", "-n", Ns, "-m", "go ahead");
        var result = await waiting.WaitForExitAsync();

        Assert.True(approve.Succeeded, approve.ToString());
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("approvalrequest/alice-rotate Approved: approved by bob", result.Stdout, StringComparison.Ordinal);
    }
}
