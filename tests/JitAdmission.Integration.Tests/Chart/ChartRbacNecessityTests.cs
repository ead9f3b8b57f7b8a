using System.Text.Json.Nodes;
using JitAdmission.Integration.Tests.Infrastructure;
using JitAdmission.Kubernetes.Tests.Support;
using static JitAdmission.Integration.Tests.Chart.RenderedChart;

namespace JitAdmission.Integration.Tests.Chart;

/// <summary>
/// Least privilege, kept true as the code changes: every rule of the chart's operator ClusterRole and Role is needed.
/// With RBAC enforced and the program running as the chart's ServiceAccount, removing any one rule makes a named check
/// fail (the replica never becomes ready, or one of its jobs never happens), and every rule the chart renders has a
/// check here (ChartRbacCoverageTests shows the rules are enough).
/// </summary>
public sealed class ChartRbacNecessityTests : IAsyncLifetime
{
    private const string Release = "jit-admission";
    private const string Ns = "jit-rbac";
    private const string RequestNs = "rbac-requests";
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(8);

    private readonly KubeSandbox _sandbox = new();
    private ChartedJitAdmission _jit = null!;

    public async Task InitializeAsync()
    {
        await _sandbox.InitializeAsync();
        _jit = await ChartedJitAdmission.InstallAsync(_sandbox, Release, Ns, replicas: 0, clientAuth: false);
        await _sandbox.AdminKubectlAsync("create", "namespace", RequestNs);
    }

    public async Task DisposeAsync()
    {
        if (_jit is not null) await _jit.DisposeAsync();
        await _sandbox.DisposeAsync();
    }

    /// <summary>A rule as "group|first resource" (resources of one rule share their fate).</summary>
    private static string Key(JsonObject rule) => $"{Strings(rule["apiGroups"]).Single()}|{Strings(rule["resources"])[0]}|{string.Join(",", Strings(rule["verbs"]))}";

    /// <summary>What fails without each rule: "ready" (the replica never becomes ready) or a job that never happens.</summary>
    private static readonly Dictionary<string, string> Checks = new(StringComparer.Ordinal)
    {
        ["ClusterRole jitadmission.io|approvalpolicies|get,list,watch"] = "ready",
        ["ClusterRole jitadmission.io|approvalpolicies/status|update,patch"] = "policy status",
        ["ClusterRole jitadmission.io|approvalrequests|get,list,watch,create,delete"] = "ready",
        ["ClusterRole jitadmission.io|approvalrequests/status|update,patch"] = "request status",
        ["ClusterRole |namespaces|get,list,watch"] = "ready",
        ["ClusterRole |events|create,patch,update"] = "events",
        ["ClusterRole admissionregistration.k8s.io|validatingwebhookconfigurations|get,list,watch,update,patch"] = "webhook configuration",
        ["ClusterRole apiextensions.k8s.io|customresourcedefinitions|get,patch"] = "crd upgrade",
        ["Role coordination.k8s.io|leases|get,update"] = "leadership",
        ["Role coordination.k8s.io|leases|create"] = "lease creation",
        ["Role |secrets|get,list,watch,update"] = "ready",
        ["Role |secrets|create"] = "secret creation",
    };

    public static TheoryData<string> Rules() => [.. Checks.Keys];

    [Fact]
    public void Every_rule_the_chart_renders_has_a_check()
    {
        var rendered = _rendered.Value;
        var rules = rendered.Operator("ClusterRole")["rules"]!.AsArray().OfType<JsonObject>().Select(r => "ClusterRole " + Key(r))
            .Concat(rendered.Operator("Role")["rules"]!.AsArray().OfType<JsonObject>().Select(r => "Role " + Key(r)));

        Assert.Equal(Checks.Keys.Order(StringComparer.Ordinal), rules.Order(StringComparer.Ordinal));
    }

    private static readonly Lazy<RenderedChart> _rendered = new(() => ChartTools.TemplateAsync(release: Release, @namespace: Ns).GetAwaiter().GetResult());

    [Theory]
    [MemberData(nameof(Rules))]
    public async Task Without_the_rule_its_check_fails(string rule)
    {
        var (kind, key) = (rule[..rule.IndexOf(' ', StringComparison.Ordinal)], rule[(rule.IndexOf(' ', StringComparison.Ordinal) + 1)..]);
        var name = kind == "ClusterRole" ? Release : Release;
        var scope = kind == "ClusterRole" ? new[] { "clusterrole", name } : ["role", name, "-n", Ns];
        var original = JsonNode.Parse((await _sandbox.AdminKubectlAsync(["get", .. scope, "-o", "json"])).Stdout)!.AsObject();
        var index = original["rules"]!.AsArray().OfType<JsonObject>().ToList().FindIndex(r => Key(r) == key);
        Assert.True(index >= 0, $"{rule} is not in the installed {kind}");
        await PrepareAsync(Checks[rule]);
        Require(await _sandbox.AdminKubectlAsync(["patch", .. scope, "--type=json", "-p", $$"""[{"op":"remove","path":"/rules/{{index}}"}]"""]));
        try
        {
            var replica = await _jit.StartExtraReplicaAsync();
            try
            {
                var happened = await HappensAsync(Checks[rule], replica);
                Assert.False(happened, $"without \"{rule}\" the check \"{Checks[rule]}\" still passed:\n{replica.Output}");
            }
            finally
            {
                await _jit.StopLastReplicaAsync();
            }
        }
        finally
        {
            var restore = original.DeepClone().AsObject();
            restore["metadata"]!.AsObject().Remove("resourceVersion");
            Require(await _sandbox.KubectlAsync(_sandbox.AdminKubeconfig, ["replace", "-f", "-"], restore.ToJsonString()));
        }
    }

    /// <summary>Undoes what a replica with full permissions did earlier, so the check sees whether this one can do it.</summary>
    private async Task PrepareAsync(string check)
    {
        switch (check)
        {
            case "webhook configuration":
                await _sandbox.AdminKubectlAsync("patch", "validatingwebhookconfiguration", Release, "--type=json", "-p",
                    """[{"op":"remove","path":"/webhooks/0/clientConfig/caBundle"}]""");
                break;
            case "crd upgrade":
                foreach (var crd in new[] { "approvalpolicies.jitadmission.io", "approvalrequests.jitadmission.io" })
                    await _sandbox.AdminKubectlAsync("annotate", "crd", crd, $"{JitAdmission.Controller.Crds.ShippedCrd.DigestAnnotation}-");
                break;
            case "leadership":
                await _sandbox.AdminKubectlAsync("patch", "lease", Release, "-n", Ns, "--type=merge", "-p", """{"spec":{"holderIdentity":null}}""");
                break;
            case "lease creation":
                await _sandbox.AdminKubectlAsync("delete", "lease", Release, "-n", Ns, "--ignore-not-found");
                break;
            case "secret creation":
                await _sandbox.AdminKubectlAsync("delete", "secret", $"{Release}-tls", "-n", Ns, "--ignore-not-found");
                break;
        }
    }

    /// <summary>Whether the checked job happens within the window.</summary>
    private async Task<bool> HappensAsync(string check, JitAdmissionProcess replica)
    {
        if (check is "ready" or "secret creation") return await WithinAsync(replica.IsReadyAsync);
        // The other checks need a replica that serves and leads (it has every other permission).
        if (!await WithinAsync(replica.IsReadyAsync, TimeSpan.FromSeconds(30))) throw new InvalidOperationException($"not ready:\n{replica.Output}");
        var suffix = Guid.NewGuid().ToString("N")[..6];
        // Writes below go through the guard: wait until its configuration trusts the serving certificate.
        if (check is "policy status" or "request status" or "events"
            && !await WithinAsync(async () => (await Jsonpath("validatingwebhookconfiguration", Release, null, "{.webhooks[1].clientConfig.caBundle}")).Length > 0,
                TimeSpan.FromSeconds(30)))
            throw new InvalidOperationException($"the guard never got its CA:\n{replica.Output}");
        switch (check)
        {
            case "policy status":
                await _sandbox.ApplyAsync(Policy($"status-{suffix}"));
                return await WithinAsync(async () => (await Jsonpath("approvalpolicy", $"status-{suffix}", null, "{.status.conditions[?(@.type==\"Ready\")].status}")) == "True");
            case "request status":
            {
                await _sandbox.ApplyAsync(Policy($"req-{suffix}"));
                await _sandbox.ApplyAsync(AheadOfTime($"req-{suffix}"));
                return await WithinAsync(async () => (await Jsonpath("approvalrequest", $"req-{suffix}", RequestNs, "{.status.phase}")).Length > 0);
            }

            case "events":
                await _sandbox.ApplyAsync(Policy($"ev-{suffix}"));
                await _sandbox.ApplyAsync(AheadOfTime($"ev-{suffix}"));
                return await WithinAsync(async () => (await _sandbox.AdminKubectlAsync("get", "events", "-n", RequestNs, "-o", "custom-columns=OBJECT:.involvedObject.name"))
                    .Stdout.Contains($"ev-{suffix}", StringComparison.Ordinal));
            case "webhook configuration":
                return await WithinAsync(async () => (await Jsonpath("validatingwebhookconfiguration", Release, null, "{.webhooks[0].clientConfig.caBundle}")).Length > 0);
            case "crd upgrade":
                return await WithinAsync(async () => (await Jsonpath("crd", "approvalrequests.jitadmission.io", null, "{.metadata.annotations}"))
                    .Contains(JitAdmission.Controller.Crds.ShippedCrd.DigestAnnotation, StringComparison.Ordinal));
            case "leadership":
                return await WithinAsync(async () => (await Jsonpath("lease", Release, Ns, "{.spec.holderIdentity}")).Length > 0);
            case "lease creation":
                return await WithinAsync(async () => (await _sandbox.AdminKubectlAsync("get", "lease", Release, "-n", Ns)).Succeeded);
            default:
                throw new InvalidOperationException($"no check named {check}");
        }
    }

    private static async Task<bool> WithinAsync(Func<Task<bool>> condition, TimeSpan? window = null)
    {
        try
        {
            await Poll.UntilAsync(condition, window ?? Window);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    private async Task<string> Jsonpath(string kind, string name, string? ns, string path)
    {
        var get = await _sandbox.AdminKubectlAsync(["get", kind, name, .. ns is null ? Array.Empty<string>() : ["-n", ns], "-o", $"jsonpath={path}"]);
        return get.Succeeded ? get.Stdout.Trim() : "";
    }

    private static string Policy(string name) => $$"""
        apiVersion: jitadmission.io/v1alpha1
        kind: ApprovalPolicy
        metadata: {name: {{name}}}
        spec:
          match: {resources: [{apiGroups: [""], resources: [configmaps], operations: [DELETE]}], namespaces: [{{RequestNs}}]}
          approval: {approvers: [{groups: [sre]}], scope: Grant}
        """;

    private static string AheadOfTime(string name) => $$"""
        apiVersion: jitadmission.io/v1alpha1
        kind: ApprovalRequest
        metadata: {name: {{name}}, namespace: {{RequestNs}}}
        spec:
          policies: [{{name}}]
          requester: {username: sandbox-admin}
          action: {operation: "*", namespace: {{RequestNs}}}
          scope: Grant
        """;

    private static void Require(CommandResult result)
    {
        if (!result.Succeeded) throw new InvalidOperationException(result.ToString());
    }
}
