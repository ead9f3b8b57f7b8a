using System.Text.Json;
using JitAdmission.Cli.CommandLine;
using JitAdmission.Cli.PolicyTesting;
using JitAdmission.Cli.Tests.TestSupport;
using Microsoft.Extensions.Time.Testing;

namespace JitAdmission.Cli.Tests;

/// <summary>
/// <c>kubectl jit test</c> and auto-approval rules: the rules that held are reported ("policy/rule") and can be expected
/// (<c>autoApprovedBy</c>, a set); a request whose every entry a rule satisfies is <c>AutoApproved</c> (the webhook lets the
/// change through in the same call), one with entries left stays <c>NeedsApproval</c>; break-glass records no rule.
/// </summary>
public sealed class PolicyTestAutoApprovalTests : IDisposable
{
    private readonly TestDirectory _dir = new();

    /// <summary>Entries sre and security; on-call satisfies sre for whoever the rota lists, lead satisfies both for lee.</summary>
    private const string Policy = """
        apiVersion: jitadmission.io/v1alpha1
        kind: ApprovalPolicy
        metadata: {name: prod-deploys}
        spec:
          match:
            resources: [{apiGroups: [apps], resources: [deployments], operations: [UPDATE, DELETE]}]
            namespaceSelector: {matchLabels: {env: prod}}
          context: [{name: oncall, configMap: {namespace: ops, name: rota}}]
          approval:
            approvers: [{name: sre, groups: [sre]}, {name: security, groups: [security]}]
            autoApprove:
              - {name: on-call, approves: [sre], rule: "context.oncall != null && has(context.oncall.data) && request.userInfo.username in context.oncall.data"}
              - {name: lead, approves: [sre, security], rule: "request.userInfo.username == 'lee'"}
          breakGlass: {groups: [sre]}
        """;

    private const string Header = """
        apiVersion: cli.jitadmission.io/v1alpha1
        kind: PolicyTest
        policies: [policy.yaml]
        cluster:
          - {apiVersion: v1, kind: Namespace, metadata: {name: prod, labels: {env: prod}}}
          - {apiVersion: v1, kind: ConfigMap, metadata: {name: rota, namespace: ops}, data: {alice: primary}}
        time: "2025-06-04T10:00:00Z"
        cases:

        """;

    public void Dispose() => _dir.Dispose();

    /// <summary>USER (group sre) deletes Deployment prod/web, expecting EXPECT (a flow mapping).</summary>
    private static string Delete(string name, string user, string expect) =>
        $"- name: {name}\n  user: {user}\n  groups: [sre]\n  operation: DELETE\n  namespace: prod\n"
        + $"  oldObject: {{apiVersion: apps/v1, kind: Deployment, metadata: {{name: web}}}}\n  expect: {expect}\n";

    private async Task<(int Code, string Out, string Err)> RunSuite(string cases, params string[] flags)
    {
        _dir.Write("policy.yaml", Policy);
        _dir.Write("jit-test.yaml", Header + cases);
        using var output = new StringWriter();
        using var error = new StringWriter();
        var context = new CliContext(output, error, new FakeTimeProvider(new DateTimeOffset(2025, 6, 4, 12, 0, 0, TimeSpan.Zero)), _ => null);
        var code = await JitCli.RunAsync(["test", _dir.Path, .. flags], context);
        return (code, output.ToString().ReplaceLineEndings("\n"), error.ToString().ReplaceLineEndings("\n"));
    }

    [Fact]
    public async Task Every_entry_satisfied_is_AutoApproved_some_is_NeedsApproval_and_json_names_the_rules()
    {
        var (code, output, error) = await RunSuite(
            Delete("alice is on call", "alice", "{outcome: NeedsApproval, autoApprovedBy: [prod-deploys/on-call]}")
            + Delete("lee is the lead", "lee", "{outcome: AutoApproved, autoApprovedBy: [prod-deploys/lead]}")
            + Delete("bob is neither", "bob", "{outcome: NeedsApproval, autoApprovedBy: []}"), "-o", "json");

        Assert.True(code == ExitCodes.Success, error + output);
        using var report = JsonDocument.Parse(output);
        var results = report.RootElement.GetProperty("suites")[0].GetProperty("cases").EnumerateArray().Select(c => c.GetProperty("result")).ToList();
        Assert.Equal(["prod-deploys/on-call"], Rules(results[0]));
        Assert.Equal(["prod-deploys/lead"], Rules(results[1]));
        Assert.Empty(Rules(results[2]));
        // Let through in the same call: no "needs approval" message; a held request names the rule in its progress.
        Assert.Equal(JsonValueKind.Null, results[1].GetProperty("message").ValueKind);
        Assert.Contains("approvals 1/2 (sre 1/1 by rule prod-deploys/on-call, security 0/1)", results[0].GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(2, results[1].GetProperty("approvers").GetArrayLength());
    }

    private static List<string?> Rules(JsonElement result) => [.. result.GetProperty("autoApprovedBy").EnumerateArray().Select(r => r.GetString())];

    [Fact]
    public async Task Break_glass_records_no_rule_even_when_one_would_hold()
    {
        var (code, output, error) = await RunSuite("""
            - name: alice breaks glass
              user: alice
              groups: [sre]
              operation: UPDATE
              namespace: prod
              oldObject: {apiVersion: apps/v1, kind: Deployment, metadata: {name: web}, spec: {replicas: 1}}
              object: {apiVersion: apps/v1, kind: Deployment, metadata: {name: web, annotations: {jitadmission.io/break-glass: "INC-7 web is down"}}, spec: {replicas: 2}}
              expect: {outcome: BreakGlass, autoApprovedBy: []}

            """);

        Assert.True(code == ExitCodes.Success, error + output);
        Assert.Matches(@"PASS\s+alice breaks glass\s+BreakGlass\s", output);
        Assert.DoesNotContain("AUTO-APPROVED BY", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_autoApprovedBy_exits_1_and_the_report_shows_the_rules_that_held()
    {
        var (code, output, _) = await RunSuite(
            Delete("alice is on call", "alice", "{autoApprovedBy: []}")
            + Delete("bob is on call", "bob", "{autoApprovedBy: [prod-deploys/on-call]}")
            + Delete("lee in any order", "lee", "{outcome: AutoApproved, autoApprovedBy: [prod-deploys/lead, prod-deploys/lead]}"));

        Assert.Equal(ExitCodes.Error, code);
        Assert.Matches(@"RESULT\s+CASE\s+OUTCOME\s+POLICIES\s+SCOPE\s+APPROVERS\s+AUTO-APPROVED BY\n", output);
        Assert.Matches(@"FAIL\s+alice is on call\s+NeedsApproval\s+prod-deploys\s+Exact\s+sre: 1 of group sre; security: 1 of group security\s+prod-deploys/on-call\n", output);
        Assert.Matches(@"FAIL\s+bob is on call\s+NeedsApproval\s.*\s-\n", output);
        Assert.Matches(@"PASS\s+lee in any order\s+AutoApproved\s.*\s+prod-deploys/lead\n", output);
        Assert.Contains("\nFAIL alice is on call\n  autoApprovedBy: expected [], got [prod-deploys/on-call]\n", output, StringComparison.Ordinal);
        Assert.Contains("\n  outcome: NeedsApproval\n  auto-approved by: prod-deploys/on-call\n", output, StringComparison.Ordinal);
        Assert.Contains("\nFAIL bob is on call\n  autoApprovedBy: expected [prod-deploys/on-call], got []\n", output, StringComparison.Ordinal);
        Assert.EndsWith("3 cases: 1 passed, 2 failed\n", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{autoApprovedBy: [on-call]}", "cases[0] (x).expect.autoApprovedBy[0]: \"on-call\" is not policy/rule, e.g. on-call-auto-approval/on-call")]
    [InlineData("{autoApprovedBy: [a/b/c]}", "cases[0] (x).expect.autoApprovedBy[0]: \"a/b/c\" is not policy/rule")]
    [InlineData("{autoApprovedBy: [{policy: p}]}", "cases[0] (x).expect.autoApprovedBy[0]: expected a string")]
    [InlineData("{autoApproved: true}", "cases[0] (x).expect.autoApproved: unknown field (known here: approvers, autoApprovedBy, ")]
    [InlineData("{}", "cases[0] (x).expect: expects nothing: give at least one of outcome, gated, policies, enforcement, scope, approvers, autoApprovedBy, messageContains")]
    public async Task A_malformed_autoApprovedBy_exits_2_naming_the_field(string expect, string message)
    {
        var (code, output, error) = await RunSuite(Delete("x", "alice", expect));

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Empty(output);
        Assert.Contains("jit-test.yaml: " + message, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Rules_are_compared_as_a_set_and_an_empty_list_expects_none()
    {
        var result = new CaseResult { Outcome = CaseOutcome.AutoApproved, Policies = [], AutoApprovedBy = ["p/b", "p/a"] };

        Assert.Empty(ExpectationCheck.Compare(new CaseExpectation { AutoApprovedBy = ["p/a", "p/b", "p/a"] }, result));
        Assert.Empty(ExpectationCheck.Compare(new CaseExpectation { AutoApprovedBy = [] }, result with { AutoApprovedBy = [] }));
        Assert.Empty(ExpectationCheck.Compare(new CaseExpectation { Outcome = CaseOutcome.AutoApproved }, result));
        Assert.False(new CaseExpectation { AutoApprovedBy = [] }.IsEmpty);
        var difference = Assert.Single(ExpectationCheck.Compare(new CaseExpectation { AutoApprovedBy = [] }, result));
        Assert.Equal(new Difference("autoApprovedBy", "[]", "[p/a, p/b]"), difference);
        Assert.Equal(new Difference("outcome", "NeedsApproval", "AutoApproved"),
            Assert.Single(ExpectationCheck.Compare(new CaseExpectation { Outcome = CaseOutcome.NeedsApproval }, result)));
    }
}
