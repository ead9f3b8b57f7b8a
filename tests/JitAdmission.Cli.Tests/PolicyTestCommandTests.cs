using System.Text.Json;
using JitAdmission.Cli.CommandLine;
using JitAdmission.Cli.Tests.TestSupport;
using Microsoft.Extensions.Time.Testing;
using YamlDotNet.RepresentationModel;

namespace JitAdmission.Cli.Tests;

/// <summary>
/// <c>kubectl jit test</c> through the plugin's command line: the shipped example tests pass and cover every example
/// policy both ways; a wrong expectation exits 1 naming the case and what differed; bad input exits 2 naming the file
/// and the problem; time windows, context ConfigMaps, namespaces, subresources and stacking decide as the webhook does.
/// </summary>
public sealed class PolicyTestCommandTests : IDisposable
{
    private readonly TestDirectory _dir = new();

    private const string ProdDeploys = """
        apiVersion: jitadmission.io/v1alpha1
        kind: ApprovalPolicy
        metadata: {name: prod-deploys}
        spec:
          match:
            resources: [{apiGroups: [apps], resources: [deployments], operations: [UPDATE, DELETE]}]
            namespaceSelector: {matchLabels: {env: prod}}
          approval:
            approvers: [{name: sre, groups: [sre]}]
            scope: Object
        """;

    private const string Header = """
        apiVersion: cli.jitadmission.io/v1alpha1
        kind: PolicyTest
        policies: [policy.yaml]
        cluster:
          - {apiVersion: v1, kind: Namespace, metadata: {name: prod, labels: {env: prod}}}
        time: "2025-06-04T10:00:00Z"
        cases:

        """;

    /// <summary>alice deletes Deployment prod/web.</summary>
    private static readonly string[] DeleteWeb =
        ["user: alice", "groups: [devs]", "operation: DELETE", "namespace: prod", "oldObject: {apiVersion: apps/v1, kind: Deployment, metadata: {name: web}}"];

    public void Dispose() => _dir.Dispose();

    /// <summary>One entry of cases: its name, then its fields, one per line.</summary>
    private static string Case(string name, params string[] fields) => $"- name: {name}\n" + string.Concat(fields.Select(f => $"  {f}\n"));

    private static async Task<(int Code, string Out, string Err)> Run(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var context = new CliContext(output, error, new FakeTimeProvider(new DateTimeOffset(2025, 6, 4, 12, 0, 0, TimeSpan.Zero)), _ => null);
        var code = await JitCli.RunAsync(args, context);
        return (code, output.ToString().ReplaceLineEndings("\n"), error.ToString().ReplaceLineEndings("\n"));
    }

    private Task<(int Code, string Out, string Err)> RunSuite(string policy, string cases, params string[] flags)
    {
        _dir.Write("policy.yaml", policy);
        _dir.Write("jit-test.yaml", Header + cases);
        return Run(["test", _dir.Path, .. flags]);
    }

    [Fact]
    public async Task The_shipped_example_tests_pass_and_cover_every_example_policy_gated_and_not_gated()
    {
        var examples = Path.Combine(TestDirectory.RepositoryRoot(), "deploy", "examples");

        var (code, output, error) = await Run("test", examples, "-o", "json");

        Assert.True(code == ExitCodes.Success, error + output);
        using var report = JsonDocument.Parse(output);
        Assert.Equal(0, report.RootElement.GetProperty("failed").GetInt32());
        var cases = report.RootElement.GetProperty("suites").EnumerateArray().SelectMany(s => s.GetProperty("cases").EnumerateArray()).ToList();
        Assert.All(cases, c => Assert.True(c.GetProperty("passed").GetBoolean()));
        var outcomes = cases.Select(c => c.GetProperty("result").GetProperty("outcome").GetString()).ToHashSet();
        Assert.Superset(new HashSet<string?> { "Allowed", "Warned", "NeedsApproval", "AutoApproved", "BreakGlass", "Denied" }, outcomes);
        var files = Directory.EnumerateFiles(examples, "*.yaml").ToList();
        Assert.NotEmpty(files);
        foreach (var file in files)
        {
            var policy = Path.GetFileNameWithoutExtension(file);
            var resources = PolicyResources(file);
            Assert.True(cases.Any(c => c.GetProperty("result").GetProperty("policies").EnumerateArray().Any(p => p.GetProperty("name").GetString() == policy)),
                $"no case where {policy} applies");
            // Not gated although the request is for one of the policy's resources: the operation, a namespace, subject,
            // selector, schedule or condition said no.
            Assert.True(cases.Any(c => resources.Contains(Resource(c.GetProperty("request"))) && c.GetProperty("result").GetProperty("evaluations")
                .EnumerateArray().Any(e => e.GetProperty("policy").GetString() == policy && e.GetProperty("outcome").GetString() == "NotMatched")),
                $"no case where {policy} does not apply to one of its resources ({string.Join(", ", resources)})");
        }
    }

    private static string Resource(JsonElement request)
    {
        var sub = request.GetProperty("subResource").GetString();
        return request.GetProperty("resource").GetString() + (string.IsNullOrEmpty(sub) ? "" : "/" + sub);
    }

    /// <summary>Every resource the file's ApprovalPolicy names in spec.match.resources.</summary>
    private static HashSet<string> PolicyResources(string file)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(File.ReadAllText(file)));
        var policy = stream.Documents.Select(d => (YamlMappingNode)d.RootNode).Single(d => d["kind"].ToString() == "ApprovalPolicy");
        var rules = (YamlSequenceNode)((YamlMappingNode)((YamlMappingNode)policy["spec"])["match"])["resources"];
        return [.. rules.Cast<YamlMappingNode>().SelectMany(r => ((YamlSequenceNode)r["resources"]).Select(n => n.ToString()))];
    }

    [Fact]
    public async Task Every_case_passing_exits_0_with_a_row_per_case_and_the_summary()
    {
        var (code, output, error) = await RunSuite(ProdDeploys, Case("alice deletes web in prod", [.. DeleteWeb,
            "expect: {outcome: NeedsApproval, gated: true, policies: [prod-deploys], enforcement: Enforce, scope: Object, approvers: [{name: sre, groups: [sre]}]}"]));

        Assert.True(code == ExitCodes.Success, error + output);
        Assert.Matches(@"PASS\s+alice deletes web in prod\s+NeedsApproval\s+prod-deploys\s+Object\s+sre: 1 of group sre", output);
        Assert.DoesNotContain("FAIL", output, StringComparison.Ordinal);
        Assert.DoesNotContain("AUTO-APPROVED BY", output, StringComparison.Ordinal);
        Assert.EndsWith("1 cases: 1 passed, 0 failed\n", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_expectation_exits_1_naming_the_case_and_every_difference()
    {
        var (code, output, _) = await RunSuite(ProdDeploys,
            Case("alice deletes web in prod", [.. DeleteWeb, "expect: {scope: Grant, approvers: [{name: sre, groups: [sre], minApprovals: 2}], outcome: NeedsApproval}"])
            + Case("alice deletes it again", [.. DeleteWeb, "expect: {outcome: NeedsApproval}"]));

        Assert.Equal(ExitCodes.Error, code);
        Assert.Matches(@"FAIL\s+alice deletes web in prod", output);
        Assert.Matches(@"PASS\s+alice deletes it again", output);
        Assert.Contains("\nFAIL alice deletes web in prod\n", output, StringComparison.Ordinal);
        Assert.Contains("\n  scope: expected Grant, got Object\n", output, StringComparison.Ordinal);
        Assert.Contains("\n  approvers: expected sre: 2 of group sre, got sre: 1 of group sre\n", output, StringComparison.Ordinal);
        Assert.DoesNotContain("outcome: expected", output, StringComparison.Ordinal);
        Assert.DoesNotContain("\nPASS alice deletes it again", output, StringComparison.Ordinal);
        Assert.Contains("\n  request: DELETE deployments prod/web as alice (groups devs, system:authenticated) at 2025-06-04T10:00:00Z\n", output, StringComparison.Ordinal);
        Assert.Contains("\n  policy prod-deploys (Enforce): applies\n", output, StringComparison.Ordinal);
        Assert.EndsWith("2 cases: 1 passed, 1 failed\n", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Message_text_is_looked_for_in_what_the_webhook_says_and_shown_when_missing()
    {
        var (code, output, _) = await RunSuite(ProdDeploys,
            Case("found", [.. DeleteWeb, "expect: {messageContains: \"DELETE deployments prod/web needs approval (policy prod-deploys)\"}"])
            + Case("missing", [.. DeleteWeb, "expect: {messageContains: \"break-glass\"}"]));

        Assert.Equal(ExitCodes.Error, code);
        Assert.Matches(@"PASS\s+found", output);
        Assert.Contains("\n  messageContains: \"break-glass\" is in neither the message nor a warning, which are:\n    DELETE deployments prod/web needs approval", output, StringComparison.Ordinal);
        Assert.Contains("\n    An approver runs: kubectl jit approve deployments-web-", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Json_output_gives_machines_the_request_the_result_and_the_differences()
    {
        var (code, output, _) = await RunSuite(ProdDeploys, Case("alice deletes web in prod", [.. DeleteWeb, "expect: {gated: false}"]), "-o", "json");

        Assert.Equal(ExitCodes.Error, code);
        using var report = JsonDocument.Parse(output);
        Assert.Equal(1, report.RootElement.GetProperty("failed").GetInt32());
        var run = report.RootElement.GetProperty("suites")[0].GetProperty("cases")[0];
        Assert.False(run.GetProperty("passed").GetBoolean());
        Assert.Equal("DELETE", run.GetProperty("request").GetProperty("operation").GetString());
        Assert.Equal("apps", run.GetProperty("request").GetProperty("group").GetString());
        Assert.Equal("2025-06-04T10:00:00Z", run.GetProperty("request").GetProperty("time").GetString());
        Assert.Equal("Object", run.GetProperty("result").GetProperty("scope").GetString());
        Assert.Equal("sre", run.GetProperty("result").GetProperty("approvers")[0].GetProperty("groups")[0].GetString());
        var difference = Assert.Single(run.GetProperty("differences").EnumerateArray());
        Assert.Equal(("gated", "false", "true"),
            (difference.GetProperty("field").GetString(), difference.GetProperty("expected").GetString(), difference.GetProperty("actual").GetString()));
    }

    [Fact]
    public async Task Malformed_yaml_exits_2_naming_the_file_and_line()
    {
        var file = _dir.Write("jit-test.yaml", "apiVersion: cli.jitadmission.io/v1alpha1\nkind: PolicyTest\npolicies: [policy.yaml\n");

        var (code, output, error) = await Run("test", file);

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Empty(output);
        Assert.StartsWith("error: ", error, StringComparison.Ordinal);
        Assert.Contains("jit-test.yaml: line 4, column 1: not valid YAML", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_invalid_policy_exits_2_with_every_problem_the_cluster_would_refuse_it_for()
    {
        var invalid = ProdDeploys.Replace("scope: Object", "scope: Object\n    wait: 30s\n    approver: typo", StringComparison.Ordinal)
            + "\n  conditions: [{name: c, expression: \"object.spec.replicas >\"}]\n  enforcement: warn\n";

        var (code, output, error) = await RunSuite(invalid, Case("x", [.. DeleteWeb, "expect: {gated: true}"]));

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Empty(output);
        Assert.Contains("policy.yaml: ApprovalPolicy prod-deploys is not accepted (4 problems):\n", error, StringComparison.Ordinal);
        Assert.Contains("\n- spec.approval.approver: unknown field\n", error, StringComparison.Ordinal);
        Assert.Contains("\n- spec.enforcement: \"warn\" is not a valid value (did you mean \"Warn\"?)\n", error, StringComparison.Ordinal);
        Assert.Contains("\n- spec.approval.wait: 30s exceeds the maximum of 25s", error, StringComparison.Ordinal);
        Assert.Contains("\n- spec.conditions[0].expression: ", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("expect: {gaited: true}", "cases[0] (x).expect.gaited: unknown field")]
    [InlineData("expect: {}", "cases[0] (x).expect: expects nothing")]
    [InlineData("expect: {outcome: Held}", "cases[0] (x).expect.outcome: \"Held\" is not one of Allowed, Warned, NeedsApproval, AutoApproved, BreakGlass, Denied")]
    [InlineData("expect: {gated: true}\n  object: {apiVersion: apps/v1, kind: Deployment, metadata: {name: web}}",
        "cases[0] (x).object: DELETE has no new object: give the object being deleted as oldObject")]
    [InlineData("expect: {gated: true}\n  time: \"2025-06-04T10:00:00\"", "cases[0] (x).time: \"2025-06-04T10:00:00\" is not an RFC 3339 time with a zone")]
    [InlineData("expect: {gated: true}\n  cluster: [{apiVersion: v1, kind: ConfigMap, metadata: {name: state, namespace: ops}, data: {active: yes}}]",
        "cases[0] (x).cluster[0]: ConfigMap state cannot be read: ")]
    [InlineData("expect: {gated: true}\n  cluster: [{apiVersion: v1, kind: Secret, metadata: {name: s, namespace: prod}}]",
        "cases[0] (x).cluster[0]: Secret s: cluster objects are Namespaces and ConfigMaps")]
    public async Task A_case_that_cannot_be_run_as_written_exits_2_naming_the_field(string rest, string message)
    {
        var (code, output, error) = await RunSuite(ProdDeploys, Case("x", [.. DeleteWeb, rest]));

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Empty(output);
        Assert.Contains("jit-test.yaml: " + message, error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_directory_without_test_files_and_a_missing_object_file_exit_2()
    {
        var (emptyCode, _, emptyError) = await Run("test", _dir.Path);
        var (missingCode, _, missingError) = await RunSuite(ProdDeploys,
            Case("x", "user: alice", "operation: CREATE", "object: missing.yaml", "expect: {gated: false}"));

        Assert.Equal(ExitCodes.Usage, emptyCode);
        Assert.Contains("no jit-test.yaml or jit-test.yml in", emptyError, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Usage, missingCode);
        Assert.Contains("cases[0] (x).object: \"missing.yaml\" does not exist", missingError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_time_of_a_case_decides_a_schedule_in_the_policy_s_time_zone()
    {
        var offHours = ProdDeploys + "\n  schedule: {timeZone: Europe/Berlin, windows: [{days: [Mon, Tue, Wed, Thu, Fri], from: \"18:00\", to: \"08:00\"}]}\n";

        var (code, output, error) = await RunSuite(offHours,
            Case("17:59 in Berlin", [.. DeleteWeb, "time: \"2025-06-04T15:59:00Z\"", "expect: {gated: false}"])
            + Case("18:00 in Berlin", [.. DeleteWeb, "time: \"2025-06-04T18:00:00+02:00\"", "expect: {gated: true, outcome: NeedsApproval}"])
            + Case("the suite's time, 12:00 in Berlin", [.. DeleteWeb, "expect: {gated: false}"])
            + Case("Saturday morning is Friday's window", [.. DeleteWeb, "time: \"2025-06-07T07:59:00+02:00\"", "expect: {gated: true}"]));

        Assert.True(code == ExitCodes.Success, error + output);
    }

    [Fact]
    public async Task Without_a_time_the_cases_run_at_the_current_time()
    {
        _dir.Write("policy.yaml", ProdDeploys + "\n  schedule: {timeZone: UTC, windows: [{from: \"11:00\", to: \"13:00\"}]}\n");
        _dir.Write("jit-test.yaml", Header.Replace("time: \"2025-06-04T10:00:00Z\"\n", "", StringComparison.Ordinal)
            + Case("now is 12:00 UTC", [.. DeleteWeb, "expect: {gated: true}"]));

        var (code, output, error) = await Run("test", _dir.Path, "-v");

        Assert.True(code == ExitCodes.Success, error + output);
        Assert.Contains(" at 2025-06-04T12:00:00Z\n", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Context_config_maps_come_from_files_and_a_case_replaces_them()
    {
        var incident = ProdDeploys
            + "\n  context: [{name: incident, configMap: {namespace: ops, name: state}}]"
            + "\n  conditions: [{name: open, expression: 'context.incident != null && context.incident.data.active == \"true\"'}]\n";
        _dir.Write("state.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: state, namespace: ops}\ndata: {active: \"false\"}\n");

        var (code, output, error) = await RunSuite(incident,
            Case("no incident", [.. DeleteWeb, "cluster: [state.yaml]", "expect: {gated: false}"])
            + Case("incident open", [.. DeleteWeb,
                "cluster: [state.yaml, {apiVersion: v1, kind: ConfigMap, metadata: {name: state, namespace: ops}, data: {active: \"true\"}}]",
                "expect: {gated: true}"])
            + Case("no ConfigMap at all", [.. DeleteWeb, "expect: {gated: false}"]), "-v");

        Assert.True(code == ExitCodes.Success, error + output);
        Assert.Contains("\n  cluster: ConfigMap ops/state, Namespace prod\n", output, StringComparison.Ordinal);
        Assert.Contains("\n  cluster: Namespace prod\n", output, StringComparison.Ordinal);
        Assert.Contains("\n  policy prod-deploys (Enforce): does not apply (Condition: ", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_namespace_the_test_does_not_give_fails_closed_as_in_the_webhook_with_a_hint()
    {
        var (code, output, _) = await RunSuite(ProdDeploys,
            Case("alice deletes web in staging", [.. DeleteWeb.Select(f => f.Replace("namespace: prod", "namespace: staging", StringComparison.Ordinal)), "expect: {outcome: Allowed}"]));

        Assert.Equal(ExitCodes.Error, code);
        Assert.Contains("\n  outcome: expected Allowed, got Denied\n", output, StringComparison.Ordinal);
        Assert.Contains("namespace staging is not known", output, StringComparison.Ordinal);
        Assert.Contains("\n    hint: add the Namespace, with its labels, under cluster", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stacked_policies_each_keep_their_approvers_and_the_strictest_scope_wins()
    {
        var both = ProdDeploys + "\n---\n" + ProdDeploys
            .Replace("prod-deploys", "deletes-need-security", StringComparison.Ordinal)
            .Replace("UPDATE, DELETE", "DELETE", StringComparison.Ordinal)
            .Replace("{name: sre, groups: [sre]}", "{name: security, users: [carol, erin], minApprovals: 2}", StringComparison.Ordinal)
            .Replace("scope: Object", "scope: Exact", StringComparison.Ordinal);
        string[] updateWeb =
        [
            "user: alice", "operation: UPDATE", "namespace: prod",
            "oldObject: {apiVersion: apps/v1, kind: Deployment, metadata: {name: web}, spec: {replicas: 1}}",
            "object: {apiVersion: apps/v1, kind: Deployment, metadata: {name: web}, spec: {replicas: 2}}",
        ];

        var (code, output, error) = await RunSuite(both,
            Case("a delete needs both", [.. DeleteWeb,
                "expect: {policies: [prod-deploys, deletes-need-security], scope: Exact, approvers: "
                + "[{name: prod-deploys/sre, groups: [sre]}, {name: deletes-need-security/security, users: [erin, carol], minApprovals: 2}]}"])
            + Case("an update needs one", [.. updateWeb, "expect: {policies: [prod-deploys], scope: Object, approvers: [{name: sre, groups: [sre]}]}"]));

        Assert.True(code == ExitCodes.Success, error + output);
    }

    [Fact]
    public async Task Connect_to_a_subresource_is_decided_on_its_options_and_needs_the_pod_s_name()
    {
        const string exec = """
            apiVersion: jitadmission.io/v1alpha1
            kind: ApprovalPolicy
            metadata: {name: exec}
            spec:
              match:
                resources: [{apiGroups: [""], resources: [pods/exec], operations: [CONNECT]}]
              conditions: [{name: shell, expression: "object.tty"}]
              approval: {approvers: [{groups: [sre]}], scope: Grant}
            """;
        string[] connect = ["user: alice", "operation: CONNECT", "resource: pods/exec", "namespace: prod"];

        var (unnamed, _, unnamedError) = await RunSuite(exec,
            Case("exec without a pod", [.. connect, "object: {apiVersion: v1, kind: PodExecOptions, tty: true}", "expect: {gated: true}"]));
        var (code, output, error) = await RunSuite(exec,
            Case("a shell is gated", [.. connect, "objectName: web-0", "object: {apiVersion: v1, kind: PodExecOptions, command: [sh], tty: true}",
                "expect: {outcome: NeedsApproval, scope: Grant, approvers: [{name: sre, groups: [sre]}]}"])
            + Case("a command without a terminal is not", [.. connect, "objectName: web-0", "object: {apiVersion: v1, kind: PodExecOptions, command: [ls], tty: false}",
                "expect: {gated: false}"]));

        Assert.Equal(ExitCodes.Usage, unnamed);
        Assert.Contains("cases[0] (exec without a pod).objectName: CONNECT pods/exec needs the object's name", unnamedError, StringComparison.Ordinal);
        Assert.True(code == ExitCodes.Success, error + output);
    }
}
