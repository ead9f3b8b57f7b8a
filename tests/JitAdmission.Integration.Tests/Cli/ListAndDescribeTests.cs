using System.Text.Json.Nodes;
using JitAdmission.Integration.Tests.Crds;
using JitAdmission.Integration.Tests.Infrastructure;

namespace JitAdmission.Integration.Tests.Cli;

/// <summary>kubectl jit list and describe through real kubectl, as approvers and requesters see them.</summary>
public sealed class ListAndDescribeTests(KubeSandbox sandbox) : IClassFixture<KubeSandbox>, IAsyncLifetime
{
    private const string Ns = "cli-list";
    private CliCluster _cluster = null!;

    public async Task InitializeAsync()
    {
        _cluster = await CliCluster.SetUpAsync(sandbox, Ns, Policies.All);
        // Oldest first: a request bob already denied, then two pending ones, and one of bob's own.
        await _cluster.CreateGatedRequestAsync("deployments-api-1111111111", "alice", "cli-deploy", "api", "spec.replicas: 2 -> 3");
        await _cluster.SetStatusAsync("deployments-api-1111111111", "Denied", "0/2", "denied by carol: not today");
        var first = DateTimeOffset.Parse((string)(await _cluster.GetAsync("deployments-api-1111111111"))["metadata"]!["creationTimestamp"]!, System.Globalization.CultureInfo.InvariantCulture);
        await _cluster.WaitForServerClockAfterAsync(first);
        await _cluster.CreateGatedRequestAsync("deployments-web-2222222222", "alice", "cli-deploy", "web", "spec.replicas: 3 -> 30\nspec.template.spec.containers[web].image: web:1.2 -> web:1.3");
        var second = DateTimeOffset.Parse((string)(await _cluster.GetAsync("deployments-web-2222222222"))["metadata"]!["creationTimestamp"]!, System.Globalization.CultureInfo.InvariantCulture);
        await _cluster.WaitForServerClockAfterAsync(second);
        await _cluster.CreateGatedRequestAsync("deployments-db-3333333333", "alice", "cli-deploy", "db", "spec.replicas: 1 -> 2");
        await _cluster.CreateGatedRequestAsync("deployments-bob-4444444444", "bob", "cli-deploy", "tools", "spec.replicas: 0 -> 1");
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task List_shows_pending_requests_first_newest_first_with_the_columns_people_read()
    {
        var list = await _cluster.Jit.RunAsync(_cluster.Carol, "list", "-n", Ns);

        Assert.True(list.Succeeded, list.ToString());
        var table = KubectlTable.Parse(list.Stdout);
        Assert.Equal(["NAME", "PHASE", "ACTION", "REQUESTER", "APPROVALS", "EXPIRES", "AGE"], table.Columns);
        var names = table.Rows.Select(r => r["NAME"]).ToList();
        Assert.Equal("deployments-api-1111111111", names[^1]);
        Assert.True(names.IndexOf("deployments-db-3333333333") < names.IndexOf("deployments-web-2222222222"), list.Stdout);
        var web = table.Row("deployments-web-2222222222");
        Assert.Equal(("Pending", "UPDATE deployments/web", "alice", "0/2"), (web["PHASE"], web["ACTION"], web["REQUESTER"], web["APPROVALS"]));
        Assert.Matches(@"^in 5\dm$", web["EXPIRES"]);
        Assert.Matches(@"^(\d+s|\d+m(\d+s)?)$", web["AGE"]);
        var denied = table.Row("deployments-api-1111111111");
        Assert.Equal(("Denied", "-"), (denied["PHASE"], denied["EXPIRES"]));
    }

    [Fact]
    public async Task Filters_select_my_requests_pending_ones_and_those_i_may_review()
    {
        var mine = await _cluster.Jit.RunAsync(_cluster.Bob, "list", "-n", Ns, "--mine", "-o", "name");
        var pending = await _cluster.Jit.RunAsync(_cluster.Carol, "list", "-n", Ns, "--pending", "-o", "name");
        var toReviewBob = await _cluster.Jit.RunAsync(_cluster.Bob, "list", "-n", Ns, "--to-review", "-o", "name");
        var toReviewAlice = await _cluster.Jit.RunAsync(_cluster.Alice, "list", "-n", Ns, "--to-review");

        Assert.Equal(["approvalrequest.jitadmission.io/deployments-bob-4444444444"], Lines(mine.Stdout));
        Assert.DoesNotContain("approvalrequest.jitadmission.io/deployments-api-1111111111", Lines(pending.Stdout));
        Assert.Equal(3, Lines(pending.Stdout).Count);
        // bob (sre) may review alice's pending requests, not his own and not the denied one.
        Assert.Equal(
            ["approvalrequest.jitadmission.io/deployments-db-3333333333", "approvalrequest.jitadmission.io/deployments-web-2222222222"],
            Lines(toReviewBob.Stdout));
        // alice is no approver of cli-deploy.
        Assert.True(toReviewAlice.Succeeded, toReviewAlice.ToString());
        Assert.Empty(toReviewAlice.Stdout);
        Assert.Contains("No approval requests to review in namespace cli-list", toReviewAlice.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task All_namespaces_adds_the_namespace_column_and_the_default_namespace_comes_from_the_context()
    {
        var all = await _cluster.Jit.RunAsync(_cluster.Carol, "list", "-A");
        var kubeconfig = Path.Combine(sandbox.Dir, "carol-in-cli-list.kubeconfig");
        File.Copy(_cluster.Carol, kubeconfig, overwrite: true);
        var set = await sandbox.KubectlAsync(kubeconfig, ["config", "set-context", "--current", $"--namespace={Ns}"]);
        Assert.True(set.Succeeded, set.ToString());
        var fromContext = await _cluster.Jit.RunRawAsync(["list", "-o", "name"], new Dictionary<string, string> { ["KUBECONFIG"] = kubeconfig });
        var elsewhere = await _cluster.Jit.RunAsync(_cluster.Carol, "list");

        Assert.True(all.Succeeded, all.ToString());
        var table = KubectlTable.Parse(all.Stdout);
        Assert.Equal("NAMESPACE", table.Columns[0]);
        Assert.Equal(Ns, table.Row("deployments-web-2222222222")["NAMESPACE"]);
        Assert.Equal(4, Lines(fromContext.Stdout).Count);
        Assert.True(elsewhere.Succeeded, elsewhere.ToString());
        Assert.Contains("No approval requests found in namespace default", elsewhere.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Json_and_yaml_print_the_objects_as_the_api_server_holds_them()
    {
        var json = await _cluster.Jit.RunAsync(_cluster.Carol, "list", "-n", Ns, "--pending", "-o", "json");
        var yaml = await _cluster.Jit.RunAsync(_cluster.Carol, "list", "-n", Ns, "-o", "yaml");

        Assert.True(json.Succeeded, json.ToString());
        var list = JsonNode.Parse(json.Stdout)!;
        Assert.Equal("List", (string?)list["kind"]);
        var web = list["items"]!.AsArray().Single(i => (string?)i!["metadata"]!["name"] == "deployments-web-2222222222")!;
        Assert.Equal("ApprovalRequest", (string?)web["kind"]);
        Assert.True(JsonNode.DeepEquals((await _cluster.GetAsync("deployments-web-2222222222"))["spec"], web["spec"]));
        Assert.True(yaml.Succeeded, yaml.ToString());
        Assert.StartsWith("apiVersion: v1\nkind: List\nitems:\n- apiVersion: jitadmission.io/v1alpha1\n", yaml.Stdout, StringComparison.Ordinal);
        Assert.Contains("    change: |\n      spec.replicas: 3 -> 30\n", yaml.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Describe_shows_an_approver_the_change_the_requirements_and_how_to_approve()
    {
        await _cluster.Jit.RunAsync(_cluster.Carol, "approve", "deployments-db-3333333333", "-n", Ns, "-m", "fine by security");

        var describe = await _cluster.Jit.RunAsync(_cluster.Bob, "describe", "deployments-db-3333333333", "-n", Ns);
        var web = await _cluster.Jit.RunAsync(_cluster.Bob, "describe", "deployments-web-2222222222", "-n", Ns);

        Assert.True(describe.Succeeded, describe.ToString());
        var text = describe.Stdout;
        Assert.Contains("Action:       UPDATE deployments/db", text, StringComparison.Ordinal);
        Assert.Contains("Requester:    alice (uid alice-uid)", text, StringComparison.Ordinal);
        Assert.Contains("Reason:       \"release db 1.2.3\" (written by alice)", text, StringComparison.Ordinal);
        Assert.Contains("Policies:     cli-deploy", text, StringComparison.Ordinal);
        Assert.Contains("Change:\n  spec.replicas: 1 -> 2\n", text, StringComparison.Ordinal);
        Assert.Contains("Requirements (approvals 1/2):", text, StringComparison.Ordinal);
        Assert.Matches(@"\n  sre\s+0/1\s+-\s+group sre\n", text);
        Assert.Matches(@"\n  security\s+1/1 ok\s+carol\s+user carol\n", text);
        Assert.Matches(@"\n  -\s+carol\s+Approve\s+fine by security\s+yes\n", text);
        Assert.Contains("To approve:   kubectl jit approve deployments-db-3333333333 -n cli-list", text, StringComparison.Ordinal);
        Assert.Contains("spec.template.spec.containers[web].image: web:1.2 -> web:1.3", web.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Describe_compares_what_the_approval_lets_through_with_the_live_object_read_as_the_approver()
    {
        // Its own namespace: the other tests count the requests in theirs.
        const string Live = "cli-live";
        await sandbox.ApplyAsync($"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {Live}\n");
        await sandbox.ApplyAsync($$$"""
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: live, namespace: {{{Live}}}}
            spec:
              replicas: 2
              selector: {matchLabels: {app: live}}
              template:
                metadata: {labels: {app: live}}
                spec: {containers: [{name: app, image: "app:1.0"}]}
            """);
        var get = await sandbox.AdminKubectlAsync("get", "deployment", "live", "-n", Live, "-o", "json");
        Assert.True(get.Succeeded, get.ToString());
        var proposed = JsonNode.Parse(get.Stdout)!.AsObject();
        proposed["spec"]!["replicas"] = 5;
        proposed["spec"]!["template"]!["spec"]!["containers"]![0]!["image"] = "app:2.0";
        var request = new JsonObject
        {
            ["apiVersion"] = "jitadmission.io/v1alpha1",
            ["kind"] = "ApprovalRequest",
            ["metadata"] = new JsonObject { ["name"] = "deployments-live-5555555555", ["namespace"] = Live },
            ["spec"] = new JsonObject
            {
                ["policies"] = new JsonArray("cli-deploy"),
                ["requester"] = new JsonObject { ["username"] = "alice", ["groups"] = new JsonArray("devs") },
                ["action"] = new JsonObject
                {
                    ["operation"] = "UPDATE", ["group"] = "apps", ["version"] = "v1", ["resource"] = "deployments",
                    ["kind"] = "Deployment", ["namespace"] = Live, ["name"] = "live",
                },
                ["fingerprint"] = new string('5', 64),
                ["scope"] = "Exact",
                ["reason"] = "scale up",
                ["change"] = "UPDATE apps/v1 deployments cli-live/live by alice\n= spec.replicas: 5",
                ["object"] = proposed,
            },
        };
        await sandbox.ApplyAsync(request.ToJsonString());
        // Where RBAC is enforced, bob reads the Deployment through an ordinary binding, as an approver would.
        await sandbox.ApplyAsync($$$"""
            apiVersion: rbac.authorization.k8s.io/v1
            kind: RoleBinding
            metadata: {name: bob-view, namespace: {{{Live}}}}
            roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
            subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: bob}]
            """);

        var describe = await _cluster.Jit.RunAsync(_cluster.Bob, "describe", "deployments-live-5555555555", "-n", Live);

        Assert.True(describe.Succeeded, describe.ToString());
        Assert.Contains("Against the live object (read with your credentials):\n  UPDATE apps/v1 deployments cli-live/live\n", describe.Stdout, StringComparison.Ordinal);
        Assert.True(describe.Stdout.Contains("  ~ spec.replicas: 2 → 5\n", StringComparison.Ordinal), describe.Stdout);
        Assert.True(describe.Stdout.Contains("  ~ spec.template.spec.containers[name=app].image: \"app:1.0\" → \"app:2.0\"\n", StringComparison.Ordinal), describe.Stdout);
    }

    private static List<string> Lines(string text) => [.. text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
}
