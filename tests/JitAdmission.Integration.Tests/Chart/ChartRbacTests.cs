using System.Text.Json.Nodes;
using static JitAdmission.Integration.Tests.Chart.RenderedChart;

namespace JitAdmission.Integration.Tests.Chart;

/// <summary>The operator's RBAC: exactly what the program calls, no wildcards, no cluster-wide Secrets, no webhook create.</summary>
public sealed class ChartRbacTests(DefaultRender render) : IClassFixture<DefaultRender>
{
    private RenderedChart Chart => render.Chart;

    /// <summary>(apiGroup, resource, verb, resourceName or "") for every rule of a role.</summary>
    private static HashSet<string> Grants(JsonObject role)
    {
        var grants = new HashSet<string>(StringComparer.Ordinal);
        foreach (var rule in Items(role["rules"]))
        {
            var names = Strings(rule["resourceNames"]) is { Count: > 0 } n ? n : [""];
            foreach (var group in Strings(rule["apiGroups"]))
                foreach (var resource in Strings(rule["resources"]))
                    foreach (var verb in Strings(rule["verbs"]))
                        foreach (var name in names)
                            grants.Add($"{group}|{resource}|{verb}|{name}");
        }

        return grants;
    }

    private static IEnumerable<string> Expand(string group, string resource, string verbs, string name = "") =>
        verbs.Split(',').Select(v => $"{group}|{resource}|{v}|{name}");

    [Fact]
    public void The_ClusterRole_grants_exactly_what_the_program_calls()
    {
        string[] expected =
        [
            .. Expand("jitadmission.io", "approvalpolicies", "get,list,watch"),
            .. Expand("jitadmission.io", "approvalpolicies/status", "update,patch"),
            .. Expand("jitadmission.io", "approvalrequests", "get,list,watch,create,delete"),
            .. Expand("jitadmission.io", "approvalrequests/status", "update,patch"),
            .. Expand("", "namespaces", "get,list,watch"),
            .. Expand("", "configmaps", "get,list,watch"),
            .. Expand("", "events", "create,patch,update"),
            .. Expand("admissionregistration.k8s.io", "validatingwebhookconfigurations", "get,list,watch,update,patch", "jit-admission"),
            .. Expand("admissionregistration.k8s.io", "mutatingwebhookconfigurations", "get,list,watch,update,patch", "jit-admission"),
            .. Expand("apiextensions.k8s.io", "customresourcedefinitions", "get,patch", "approvalpolicies.jitadmission.io"),
            .. Expand("apiextensions.k8s.io", "customresourcedefinitions", "get,patch", "approvalrequests.jitadmission.io"),
        ];

        Assert.Equal(expected.Order(StringComparer.Ordinal), Grants(Chart.Operator("ClusterRole")).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void The_Role_grants_the_Lease_and_the_certificate_Secret_by_name_in_the_release_namespace_only()
    {
        var role = Chart.Single("Role");
        string[] expected =
        [
            .. Expand("coordination.k8s.io", "leases", "get,update", "jit-admission"),
            .. Expand("coordination.k8s.io", "leases", "create"),
            .. Expand("", "secrets", "get,list,watch,update", "jit-admission-tls"),
            .. Expand("", "secrets", "create"),
        ];

        Assert.Equal("jit-admission", Namespace(role));
        Assert.Equal(expected.Order(StringComparer.Ordinal), Grants(role).Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData(null)]
    [InlineData(ChartValues.Production)]
    [InlineData(ChartValues.Minimal)]
    [InlineData(ChartValues.ExistingIssuerAndNames)]
    public async Task No_role_has_a_wildcard_cluster_wide_Secret_access_or_webhook_creation(string? values)
    {
        var chart = await ChartTools.TemplateAsync(values);
        var roles = chart.OfKind("ClusterRole").Concat(chart.OfKind("Role")).ToList();
        Assert.NotEmpty(roles);

        foreach (var rule in roles.SelectMany(r => Items(r["rules"])))
        {
            foreach (var field in new[] { "apiGroups", "resources", "verbs", "resourceNames", "nonResourceURLs" })
                Assert.DoesNotContain(Strings(rule[field]), v => v.Contains('*', StringComparison.Ordinal));
            Assert.DoesNotContain("escalate", Strings(rule["verbs"]));
            Assert.DoesNotContain("bind", Strings(rule["verbs"]));
            Assert.DoesNotContain("impersonate", Strings(rule["verbs"]));
        }

        foreach (var clusterRole in chart.OfKind("ClusterRole"))
        {
            var grants = Grants(clusterRole);
            Assert.DoesNotContain(grants, g => g.Split('|')[1] is "secrets" or "pods" or "serviceaccounts/token");
            Assert.DoesNotContain(grants, g => g.Split('|')[1].EndsWith("webhookconfigurations", StringComparison.Ordinal) && g.Split('|')[2] == "create");
            Assert.DoesNotContain(grants, g => g.Split('|')[1].EndsWith("webhookconfigurations", StringComparison.Ordinal) && g.Split('|')[3] == "");
        }
    }

    [Fact]
    public async Task With_cert_manager_the_program_gets_no_Secret_access_at_all()
    {
        var chart = await ChartTools.TemplateAsync(ChartValues.Production);

        Assert.DoesNotContain(Grants(chart.Single("Role")), g => g.Split('|')[1] == "secrets");
        Assert.Contains(Grants(chart.Single("Role")), g => g.Split('|')[1] == "leases");
    }

    [Fact]
    public async Task Without_leader_election_the_program_gets_no_Lease_access()
    {
        var chart = await ChartTools.TemplateAsync(ChartValues.Minimal);

        Assert.DoesNotContain(Grants(chart.Single("Role")), g => g.Split('|')[1] == "leases");
        Assert.Equal("false", chart.Arg("--leader-elect"));
        Assert.False(chart.Has("Lease"));
    }

    [Theory]
    [InlineData(null, "jit-admission", "jit-admission")]
    [InlineData(ChartValues.ExistingIssuerAndNames, "jit", "platform-jit")]
    public async Task The_bindings_give_the_roles_to_the_pods_service_account(string? values, string roleName, string serviceAccount)
    {
        var chart = await ChartTools.TemplateAsync(values);

        Assert.Equal(serviceAccount, Text(chart.PodSpec["serviceAccountName"]));
        Assert.Equal(values is null, chart.Has("ServiceAccount"));
        foreach (var (bindingKind, roleKind) in new[] { ("ClusterRoleBinding", "ClusterRole"), ("RoleBinding", "Role") })
        {
            var binding = chart.Operator(bindingKind);
            Assert.Equal(roleKind, Text(binding["roleRef"]!["kind"]));
            Assert.Equal(roleName, Text(binding["roleRef"]!["name"]));
            Assert.Equal(roleName, Name(chart.Operator(roleKind)));
            var subject = Items(binding["subjects"]).Single();
            Assert.Equal("ServiceAccount", Text(subject["kind"]));
            Assert.Equal(serviceAccount, Text(subject["name"]));
            Assert.Equal(ChartTools.DefaultNamespace, Text(subject["namespace"]));
        }

        Assert.Contains($"admissionregistration.k8s.io|validatingwebhookconfigurations|patch|{roleName}", Grants(chart.Operator("ClusterRole")));
    }
}
