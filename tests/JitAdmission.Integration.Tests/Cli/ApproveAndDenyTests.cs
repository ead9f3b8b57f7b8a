using System.Text.Json.Nodes;
using JitAdmission.Integration.Tests.Infrastructure;

namespace JitAdmission.Integration.Tests.Cli;

/// <summary>
/// kubectl jit approve/deny as different users. Without the webhook its guard does not run: the plugin itself refuses
/// self-approval and a second review before writing, and the CRD keeps reviews append-only and one per reviewer.
/// </summary>
public sealed class ApproveAndDenyTests(KubeSandbox sandbox) : IClassFixture<KubeSandbox>, IAsyncLifetime
{
    private const string Ns = "cli-review";
    private CliCluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await CliCluster.SetUpAsync(sandbox, Ns, Policies.All);

    public Task DisposeAsync() => Task.CompletedTask;

    private static JsonArray Reviews(JsonObject request) => request["spec"]!["reviews"]?.AsArray() ?? [];

    [Fact]
    public async Task Bob_approves_alices_request_as_himself_with_his_comment()
    {
        await _cluster.CreateGatedRequestAsync("deployments-web-aaaaaaaaaa", "alice", "cli-deploy", "web", "spec.replicas: 3 -> 30");

        var approve = await _cluster.Jit.RunAsync(_cluster.Bob, "approve", "deployments-web-aaaaaaaaaa", "-n", Ns, "-m", "checked the rollout plan");

        Assert.True(approve.Succeeded, approve.ToString());
        Assert.StartsWith("approvalrequest/deployments-web-aaaaaaaaaa approved by bob\n", approve.Stdout, StringComparison.Ordinal);
        Assert.Contains("approvals", approve.Stdout, StringComparison.Ordinal);
        var review = Assert.Single(Reviews(await _cluster.GetAsync("deployments-web-aaaaaaaaaa")))!;
        Assert.Equal("bob", (string?)review["reviewer"]);
        Assert.Equal("Approve", (string?)review["decision"]);
        Assert.Equal("checked the rollout plan", (string?)review["comment"]);
    }

    [Fact]
    public async Task A_second_approver_appends_after_the_first_and_progress_is_shown()
    {
        await _cluster.CreateGatedRequestAsync("deployments-api-bbbbbbbbbb", "alice", "cli-deploy", "api", "spec.replicas: 1 -> 2");

        var bob = await _cluster.Jit.RunAsync(_cluster.Bob, "approve", "deployments-api-bbbbbbbbbb", "-n", Ns);
        var carol = await _cluster.Jit.RunAsync(_cluster.Carol, "approve", "deployments-api-bbbbbbbbbb", "-n", Ns, "-m", "ok");

        Assert.True(bob.Succeeded, bob.ToString());
        Assert.True(carol.Succeeded, carol.ToString());
        Assert.Equal(["bob", "carol"], Reviews(await _cluster.GetAsync("deployments-api-bbbbbbbbbb")).Select(r => (string?)r!["reviewer"]));
        // carol counts by name; bob's group membership would be stamped by jit-admission's mutating webhook, which is not running.
        Assert.Contains("security 1/1", carol.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Carol_denies_with_a_reason_and_the_request_is_denied()
    {
        await _cluster.CreateGatedRequestAsync("deployments-db-cccccccccc", "alice", "cli-deploy", "db", "spec.replicas: 1 -> 0");

        var deny = await _cluster.Jit.RunAsync(_cluster.Carol, "deny", "deployments-db-cccccccccc", "-n", Ns, "-m", "this takes the database down");

        Assert.True(deny.Succeeded, deny.ToString());
        Assert.StartsWith("approvalrequest/deployments-db-cccccccccc denied by carol\n", deny.Stdout, StringComparison.Ordinal);
        Assert.Contains("Now Denied", deny.Stdout, StringComparison.Ordinal);
        var review = Assert.Single(Reviews(await _cluster.GetAsync("deployments-db-cccccccccc")))!;
        Assert.Equal(("carol", "Deny", "this takes the database down"), ((string?)review["reviewer"], (string?)review["decision"], (string?)review["comment"]));

        var late = await _cluster.Jit.RunAsync(_cluster.Bob, "approve", "deployments-db-cccccccccc", "-n", Ns);
        Assert.Equal(1, late.ExitCode);
        Assert.Contains("is already Denied", late.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Approving_your_own_request_is_refused_and_nothing_is_written()
    {
        await _cluster.CreateGatedRequestAsync("deployments-own-dddddddddd", "bob", "cli-deploy", "own", "spec.replicas: 1 -> 2");

        var own = await _cluster.Jit.RunAsync(_cluster.Bob, "approve", "deployments-own-dddddddddd", "-n", Ns);

        Assert.Equal(1, own.ExitCode);
        Assert.StartsWith("error: you cannot approve your own request", own.Stderr, StringComparison.Ordinal);
        Assert.Contains("ask one of sre: 1 of group sre; security: 1 of user carol", own.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", own.Stderr, StringComparison.Ordinal);
        Assert.Empty(Reviews(await _cluster.GetAsync("deployments-own-dddddddddd")));
    }

    [Fact]
    public async Task Reviewing_twice_is_refused_and_the_first_review_stays()
    {
        await _cluster.CreateGatedRequestAsync("deployments-twice-eeeeeeeeee", "alice", "cli-deploy", "twice", "spec.replicas: 1 -> 2");
        var first = await _cluster.Jit.RunAsync(_cluster.Carol, "approve", "deployments-twice-eeeeeeeeee", "-n", Ns);
        Assert.True(first.Succeeded, first.ToString());

        var again = await _cluster.Jit.RunAsync(_cluster.Carol, "deny", "deployments-twice-eeeeeeeeee", "-n", Ns, "-m", "changed my mind");

        Assert.Equal(1, again.ExitCode);
        Assert.StartsWith("error: you (carol) have already reviewed approvalrequest/deployments-twice-eeeeeeeeee: Approve", again.Stderr, StringComparison.Ordinal);
        var review = Assert.Single(Reviews(await _cluster.GetAsync("deployments-twice-eeeeeeeeee")))!;
        Assert.Equal("Approve", (string?)review["decision"]);
    }

    [Fact]
    public async Task The_crd_itself_refuses_a_second_review_by_the_same_reviewer()
    {
        // What the plugin's own check stands in front of: the same append, sent past the plugin, fails on the API server.
        await _cluster.CreateGatedRequestAsync("deployments-crd-ffffffffff", "alice", "cli-deploy", "crd", "spec.replicas: 1 -> 2");
        Assert.True((await _cluster.Jit.RunAsync(_cluster.Carol, "approve", "deployments-crd-ffffffffff", "-n", Ns)).Succeeded);

        var patch = await sandbox.KubectlAsync(_cluster.Carol, ["patch", "approvalrequests.jitadmission.io", "deployments-crd-ffffffffff", "-n", Ns,
            "--type=json", "-p", """[{"op":"add","path":"/spec/reviews/-","value":{"reviewer":"carol","decision":"Deny"}}]"""]);

        Assert.False(patch.Succeeded);
        Assert.Contains("Duplicate value", patch.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Someone_who_is_not_an_approver_is_told_who_is()
    {
        await _cluster.CreateGatedRequestAsync("deployments-dave-gggggggggg", "alice", "cli-deploy", "dave", "spec.replicas: 1 -> 2");

        var dave = await _cluster.Jit.RunAsync(_cluster.Dave, "approve", "deployments-dave-gggggggggg", "-n", Ns);

        Assert.Equal(1, dave.ExitCode);
        Assert.Contains("\"dave\" is not an approver for this request", dave.Stderr, StringComparison.Ordinal);
        Assert.Empty(Reviews(await _cluster.GetAsync("deployments-dave-gggggggggg")));
    }

    [Fact]
    public async Task Json_output_prints_the_request_with_the_new_review()
    {
        await _cluster.CreateGatedRequestAsync("deployments-json-hhhhhhhhhh", "alice", "cli-deploy", "json", "spec.replicas: 1 -> 2");

        var approve = await _cluster.Jit.RunAsync(_cluster.Carol, "approve", "deployments-json-hhhhhhhhhh", "-n", Ns, "-o", "json");

        Assert.True(approve.Succeeded, approve.ToString());
        var printed = JsonNode.Parse(approve.Stdout)!;
        Assert.Equal("carol", (string?)printed["spec"]!["reviews"]![0]!["reviewer"]);
        Assert.Null(printed["metadata"]!["managedFields"]);
    }
}
