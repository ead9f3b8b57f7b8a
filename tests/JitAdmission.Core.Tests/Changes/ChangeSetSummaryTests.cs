using System.Text.Json;
using JitAdmission.Core.Api;
using JitAdmission.Core.Changes;

namespace JitAdmission.Core.Tests.Changes;

/// <summary>A change set at a glance: counts, one line per object with what matters, the size; escaped and bounded.</summary>
public class ChangeSetSummaryTests
{
    private static ChangeSetObject Entry(string operation, string group, string resource, string kind, string name, string json, string? ns = "prod") => new()
    {
        Operation = operation, Group = group, Version = "v1", Resource = resource, Kind = kind, Namespace = ns, Name = name,
        Object = JsonDocument.Parse(json).RootElement.Clone(),
    };

    private static ChangeSetObject ConfigMap(string name = "settings") =>
        Entry("CREATE", "", "configmaps", "ConfigMap", name, "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"" + name + "\"},\"data\":{\"mode\":\"fast\"}}");

    private static ChangeSetObject Workload(string kind, string name, string spec, string operation = "UPDATE", string group = "apps") =>
        Entry(operation, group, kind.ToLowerInvariant() + "s", kind, name, $$"""{"apiVersion":"{{group}}/v1","kind":"{{kind}}","metadata":{"name":"{{name}}"},"spec":""" + spec + "}");

    private static string Template(string podSpec) => """{"template":{"spec":""" + podSpec + "}}";

    private static ChangeSetObject Deployment(string name = "web", int? replicas = 3, string containers = """[{"name":"web","image":"nginx:1.27"}]""") =>
        Workload("Deployment", name, replicas is { } r
            ? $$"""{"replicas":{{r}},""" + Template($$"""{"containers":{{containers}}""" + "}")[1..]
            : Template($$"""{"containers":{{containers}}""" + "}"));

    private static ChangeSetObject Rbac(string kind, string name, string body) =>
        Entry("CREATE", "rbac.authorization.k8s.io", kind.ToLowerInvariant() + "s", kind, name,
            $$"""{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"{{kind}}","metadata":{"name":"{{name}}"},""" + body + "}");

    private static ChangeSetObject Service(string type) =>
        Entry("CREATE", "", "services", "Service", "web", $$"""{"apiVersion":"v1","kind":"Service","metadata":{"name":"web"},"spec":{"type":"{{type}}","ports":[{"port":80}]""" + "}}");

    private static string[] Lines(params ChangeSetObject[] objects) => ChangeSetSummary.Describe(objects).Split('\n');

    public static TheoryData<string, Func<ChangeSetObject[]>, string[]> Summaries => new()
    {
        { "counts by operation and kind", () => [Deployment("web"), ConfigMap(), Deployment("api")],
            ["3 objects: create 1 ConfigMap, update 2 Deployments"] },
        { "one object", () => [ConfigMap()], ["1 object: create 1 ConfigMap", "CREATE ConfigMap prod/settings"] },
        { "plurals of kinds", () => [
                Entry("CREATE", "networking.k8s.io", "networkpolicies", "NetworkPolicy", "a", """{"kind":"NetworkPolicy"}"""),
                Entry("CREATE", "networking.k8s.io", "networkpolicies", "NetworkPolicy", "b", """{"kind":"NetworkPolicy"}"""),
                Entry("CREATE", "networking.k8s.io", "ingresses", "Ingress", "a", """{"kind":"Ingress"}"""),
                Entry("CREATE", "networking.k8s.io", "ingresses", "Ingress", "b", """{"kind":"Ingress"}""")],
            ["4 objects: create 2 Ingresses, create 2 NetworkPolicies"] },
        { "a kind from the object when the entry names none", () => [Entry("CREATE", "", "configmaps", "", "c", """{"kind":"ConfigMap"}""")],
            ["1 object: create 1 ConfigMap"] },
        { "deployment: replicas and images", () => [Deployment(containers: """[{"name":"web","image":"nginx:1.27"},{"name":"side","image":"envoy:1"}]""")],
            ["UPDATE Deployment prod/web: replicas 3; images web=nginx:1.27, side=envoy:1", "pods affected: 3"] },
        { "replicas default to 1", () => [Deployment(replicas: null)], ["UPDATE Deployment prod/web: replicas 1; images web=nginx:1.27", "pods affected: 1"] },
        { "init and ephemeral containers run code too", () => [Workload("StatefulSet", "db", """{"replicas":2,""" + Template("""{"initContainers":[{"name":"migrate","image":"tool:2"}],"containers":[{"name":"db","image":"postgres:16"}],"ephemeralContainers":[{"name":"dbg","image":"busybox"}]}""")[1..])],
            ["UPDATE StatefulSet prod/db: replicas 2; images init:migrate=tool:2, db=postgres:16, debug:dbg=busybox"] },
        { "daemon set: one pod per node", () => [Workload("DaemonSet", "agent", Template("""{"containers":[{"name":"a","image":"agent:1"}]}"""))],
            ["UPDATE DaemonSet prod/agent: images a=agent:1", "pods affected: 0, plus one per node for 1 DaemonSet"] },
        { "job and cron job", () => [
                Workload("Job", "once", """{"parallelism":4,"template":{"spec":{"containers":[{"name":"j","image":"job:1"}]}}}""", "CREATE", "batch"),
                Workload("CronJob", "nightly", """{"schedule":"0 3 * * *","jobTemplate":{"spec":{"template":{"spec":{"containers":[{"name":"c","image":"cron:1"}]}}}}}""", "CREATE", "batch")],
            ["CREATE Job prod/once: parallelism 4; images j=job:1", "CREATE CronJob prod/nightly: schedule \"0 3 * * *\"; images c=cron:1",
             "pods affected: 4, plus 1 per run of 1 CronJob"] },
        { "pod", () => [Entry("CREATE", "", "pods", "Pod", "debug", """{"kind":"Pod","spec":{"containers":[{"name":"sh","image":"alpine"}]}}""")],
            ["CREATE Pod prod/debug: images sh=alpine", "pods affected: 1"] },
        { "what reaches the node is flagged and comes first", () => [Patch(Deployment(), """{"replicas":2,"template":{"spec":{"hostNetwork":true,"volumes":[{"name":"sock","hostPath":{"path":"/var/run/docker.sock"}},{"name":"tmp","emptyDir":{}}],"containers":[{"name":"web","image":"nginx"},{"name":"root","image":"r:1","securityContext":{"privileged":true}}]}}}""")],
            ["UPDATE Deployment prod/web: hostNetwork (!); privileged root (!); hostPath sock=/var/run/docker.sock (!); replicas 2; images web=nginx, root=r:1",
             "pods affected: 2; 1 object flagged (!)"] },
        { "role rules: verbs on resources, wildcards and escalation flagged first", () => [Rbac("Role", "deployer", """
                "rules":[{"apiGroups":[""],"resources":["pods","pods/log"],"verbs":["get","list"]},
                         {"apiGroups":["apps"],"resources":["deployments"],"resourceNames":["web"],"verbs":["patch"]},
                         {"apiGroups":["*"],"resources":["*"],"verbs":["*"]},
                         {"apiGroups":["rbac.authorization.k8s.io"],"resources":["roles"],"verbs":["escalate","bind"]}]
                """)],
            ["CREATE Role prod/deployer: rules * on *.* (!) | escalate,bind on roles.rbac.authorization.k8s.io (!) | get,list on pods,pods/log | patch on deployments.apps named web",
             "pods affected: 0; 1 object flagged (!)"] },
        { "impersonation is flagged", () => [Rbac("Role", "r", "\"rules\":" + """[{"apiGroups":[""],"resources":["users"],"verbs":["impersonate"]}]""")],
            ["CREATE Role prod/r: rules impersonate on users (!)"] },
        { "cluster role: non-resource URLs and aggregation", () => [Rbac("ClusterRole", "agg", "\"rules\":" + """[{"nonResourceURLs":["/healthz"],"verbs":["get"]}],"aggregationRule":{"clusterRoleSelectors":[]}""")],
            ["CREATE ClusterRole prod/agg: aggregates the rules of other ClusterRoles (!); rules get on /healthz"] },
        { "role binding: role and subjects", () => [Rbac("RoleBinding", "deployers", """
                "roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"edit"},
                "subjects":[{"kind":"User","name":"alice"},{"kind":"Group","name":"devs"},{"kind":"ServiceAccount","name":"ci","namespace":"prod"}]
                """)],
            ["CREATE RoleBinding prod/deployers: role ClusterRole/edit; subjects User alice, Group devs, ServiceAccount prod/ci"] },
        { "binding cluster-admin to everyone is flagged", () => [Rbac("RoleBinding", "all", """
                "roleRef":{"kind":"ClusterRole","name":"cluster-admin"},"subjects":[{"kind":"Group","name":"system:authenticated"}]
                """)],
            ["CREATE RoleBinding prod/all: role ClusterRole/cluster-admin (!); subjects Group system:authenticated (!)"] },
        { "load balancer flagged", () => [Service("LoadBalancer")], ["CREATE Service prod/web: type LoadBalancer (!)"] },
        { "node port flagged", () => [Service("NodePort")], ["CREATE Service prod/web: type NodePort (!)"] },
        { "cluster IP plain", () => [Service("ClusterIP")], ["CREATE Service prod/web: type ClusterIP", "pods affected: 0"] },
        { "a kind's name from another group is not read as the built-in", () => [Entry("CREATE", "example.io", "roles", "Role", "r", """{"kind":"Role","rules":[{"verbs":["*"]}]}""")],
            ["CREATE Role prod/r", "pods affected: 0"] },
        { "objects show no values (a ConfigMap's data stays out)", () => [ConfigMap()], ["CREATE ConfigMap prod/settings"] },
    };

    private static ChangeSetObject Patch(ChangeSetObject entry, string spec)
    {
        entry.Object = JsonDocument.Parse($$"""{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"{{entry.Name}}"},"spec":""" + spec + "}").RootElement.Clone();
        return entry;
    }

    [Theory]
    [MemberData(nameof(Summaries))]
    public void A_set_reads_at_a_glance(string what, Func<ChangeSetObject[]> objects, string[] expectedLines)
    {
        var lines = Lines(objects());
        foreach (var expected in expectedLines)
            Assert.True(lines.Contains(expected), $"{what}: missing \"{expected}\" in\n{string.Join('\n', lines)}");
    }

    [Fact]
    public void The_first_line_counts_and_the_last_sums_up()
    {
        var lines = Lines(Deployment("web"), ConfigMap(), Deployment("api", replicas: 4), Service("LoadBalancer"));

        Assert.Equal([
            "4 objects: create 1 ConfigMap, create 1 Service, update 2 Deployments",
            "UPDATE Deployment prod/web: replicas 3; images web=nginx:1.27",
            "CREATE ConfigMap prod/settings",
            "UPDATE Deployment prod/api: replicas 4; images web=nginx:1.27",
            "CREATE Service prod/web: type LoadBalancer (!)",
            "pods affected: 7; 1 object flagged (!)",
        ], lines);
    }

    [Fact]
    public void Escape_sequences_in_an_image_cannot_act_on_a_terminal_or_forge_a_line()
    {
        var image = "nginx\u001b[2J\u001b]8;;http://evil\u0007\nUPDATE ConfigMap prod/harmless\u202e";
        var evil = Deployment(containers: $$"""[{"name":"web\r","image":{{JsonSerializer.Serialize(image)}}}]""");
        var odd = ConfigMap();
        odd.Kind = "Config\u001b[31mMap";
        odd.Name = "x\u2066y";

        var summary = ChangeSetSummary.Describe([evil, odd]);

        Assert.DoesNotContain(summary, c => Text.TerminalText.IsControl(c) && c != '\n');
        Assert.Equal(4, summary.Split('\n').Length);
        Assert.Contains("images web\\u000d=nginx\\u001b[2J\\u001b]8;;http://evil\\u0007\\u000aUPDATE ConfigMap prod/harmless\\u202e\n", summary, StringComparison.Ordinal);
        Assert.StartsWith("2 objects: create 1 Config\\u001b[31mMap, update 1 Deployment\n", summary, StringComparison.Ordinal);
        Assert.Contains("\nCREATE Config\\u001b[31mMap prod/x\\u2066y\n", summary, StringComparison.Ordinal);
    }

    public static TheoryData<int> Budgets => [80, 300, 1000, ChangeSetSummary.DefaultMaxChars];

    [Theory]
    [MemberData(nameof(Budgets))]
    public void A_huge_set_is_bounded_and_keeps_its_counts_size_and_flags(int maxChars)
    {
        var longImage = "registry.example.com/" + new string('x', 5000);
        var objects = Enumerable.Range(0, 500)
            .Select(i => Deployment($"web-{i}", replicas: 2, containers: $$"""[{"name":"web","image":"{{longImage}}"}]"""))
            .Append(Service("NodePort"))
            .ToArray();

        var summary = ChangeSetSummary.Describe(objects, maxChars);
        var lines = summary.Split('\n');

        Assert.True(summary.Length <= maxChars, $"{summary.Length} > {maxChars}");
        Assert.StartsWith("501 objects: create 1 Service", summary, StringComparison.Ordinal);
        // The size counts every object, also those past the budget (the Service is the last one).
        Assert.EndsWith("pods affected: 1000; 1 object flagged (!)", summary, StringComparison.Ordinal);
        if (maxChars >= 300) Assert.Matches(@"^… and \d+ more objects$", lines[^2]);
        Assert.All(lines, l => Assert.True(l.Length <= 600, $"line of {l.Length}"));
    }

    [Fact]
    public void A_wildcard_hidden_among_many_rules_is_still_flagged_first()
    {
        var rules = string.Join(",", Enumerable.Range(0, 2000).Select(i => $$"""{"apiGroups":[""],"resources":["r{{i}}"],"verbs":["get"]}"""));
        var role = Rbac("Role", "big", "\"rules\":[" + rules + """,{"apiGroups":[""],"resources":["secrets"],"verbs":["*"]}]""");

        var line = Lines(role)[1];

        Assert.StartsWith("CREATE Role prod/big: rules * on secrets (!) | get on r0 | get on r1", line, StringComparison.Ordinal);
        Assert.True(line.Length <= 600);
    }

    [Fact]
    public void A_rule_with_many_groups_and_resources_is_shown_in_part_and_counted()
    {
        var many = string.Join(",", Enumerable.Range(0, 3000).Select(i => $"\"g{i}\""));
        var role = Rbac("Role", "wide", "\"rules\":[{\"apiGroups\":[" + many + "],\"resources\":[" + many + """],"verbs":["get"]}]""");

        var line = Lines(role)[1];

        Assert.Contains("g0.g0,g0.g1", line, StringComparison.Ordinal);
        Assert.True(line.Length <= 600);
        Assert.Contains("+8999980 more", ChangeSetSummary.Describe([role], 80_000), StringComparison.Ordinal);
    }

    [Fact]
    public void An_empty_set_still_says_so()
    {
        Assert.Equal("0 objects\npods affected: 0", ChangeSetSummary.Describe([]));
    }
}
