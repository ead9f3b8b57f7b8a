namespace JitAdmission.Integration.Tests.EndToEnd;

/// <summary>Policies that could not be enforced as written are refused at <c>kubectl apply</c>, saying why.</summary>
[Collection(EndToEndGroup.Name)]
public sealed class PolicyGuardTests(JitCluster cluster)
{
    private static string Policy(string name, string conditions = "", string approvers = "[{groups: [sre]}]", string wait = "5s", string schedule = "") => $$"""
        apiVersion: jitadmission.io/v1alpha1
        kind: ApprovalPolicy
        metadata:
          name: {{name}}
        spec:
          match:
            resources:
              - apiGroups: [apps]
                resources: [deployments]
                operations: [UPDATE]
            namespaces: [nowhere]
          {{conditions}}
          {{schedule}}
          approval:
            approvers: {{approvers}}
            wait: {{wait}}
        """;

    private async Task<string> RefusedAsync(string yaml, string name)
    {
        var applied = await cluster.Sandbox.KubectlAsync(cluster.Sandbox.AdminKubeconfig, ["apply", "-f", "-"], yaml);
        Assert.False(applied.Succeeded, $"the policy was accepted:\n{yaml}");
        Assert.False((await cluster.AsAdmin("get", "apol", name)).Succeeded, "nothing was stored");
        return applied.Stderr;
    }

    [Fact]
    public async Task Bad_CEL_is_refused_with_the_compiler_error()
    {
        var error = await RefusedAsync(Policy("bad-cel", conditions: "conditions: [{name: big, expression: 'object.spec.replicas >'}]"), "bad-cel");

        Assert.Contains("admission webhook \"guard.jitadmission.io\" denied the request: ApprovalPolicy bad-cel:", error, StringComparison.Ordinal);
        Assert.Contains("spec.conditions[0].expression", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_problem_is_listed_at_once()
    {
        var error = await RefusedAsync(Policy("many-errors",
            conditions: "conditions: [{name: a, expression: 'object.nope('}, {name: b, expression: 'object.metadata.name =='}]",
            schedule: "schedule: {timeZone: Mars/Olympus_Mons, windows: [{from: '09:00', to: '17:00'}]}"), "many-errors");

        Assert.Contains("ApprovalPolicy many-errors is not accepted (3 problems):", error, StringComparison.Ordinal);
        Assert.Contains("spec.conditions[0].expression", error, StringComparison.Ordinal);
        Assert.Contains("spec.conditions[1].expression", error, StringComparison.Ordinal);
        Assert.Contains("Mars/Olympus_Mons", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task No_approvers_is_refused()
    {
        var error = await RefusedAsync(Policy("no-approvers", approvers: "[]"), "no-approvers");

        Assert.Contains("spec.approval.approvers", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wait_longer_than_the_webhook_may_hold_is_refused()
    {
        var error = await RefusedAsync(Policy("long-wait", wait: "30s"), "long-wait");

        Assert.Contains("wait must be at most 25s", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_valid_policy_is_accepted()
    {
        await cluster.ApplyAsync(Policy("valid-policy", conditions: "conditions: [{name: big, expression: 'object.spec.replicas > 10'}]"));

        cluster.Require(await cluster.AsAdmin("delete", "apol", "valid-policy"));
    }
}
