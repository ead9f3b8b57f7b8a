using static JitAdmission.Integration.Tests.Chart.RenderedChart;

namespace JitAdmission.Integration.Tests.Chart;

/// <summary>deploy/rbac: what approvers and requesters may do, and nothing more.</summary>
public sealed class UserRbacFilesTests
{
    private static readonly string RbacDirectory = Path.Combine(ChartTools.RepoRoot, "deploy", "rbac");

    private static Dictionary<string, List<string>> Rules(string clusterRole)
    {
        var roles = ChartTools.ParseObjects(File.ReadAllText(Path.Combine(RbacDirectory, "clusterroles.yaml")));
        var role = roles.Single(r => Text(r["kind"]) == "ClusterRole" && Name(r) == clusterRole);
        var rules = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var rule in Items(role["rules"]))
        {
            Assert.Equal(["jitadmission.io"], Strings(rule["apiGroups"]));
            foreach (var resource in Strings(rule["resources"]))
                rules[resource] = [.. Strings(rule["verbs"]).Order(StringComparer.Ordinal)];
        }

        return rules;
    }

    [Fact]
    public void Approvers_may_read_and_patch_requests_and_read_policies()
    {
        var rules = Rules("jit-admission-approver");

        Assert.Equal(["approvalpolicies", "approvalrequests"], rules.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(["get", "list", "patch", "watch"], rules["approvalrequests"]);
        Assert.Equal(["get", "list", "watch"], rules["approvalpolicies"]);
    }

    [Fact]
    public void Requesters_may_create_and_read_requests_and_read_policies()
    {
        var rules = Rules("jit-admission-requester");

        Assert.Equal(["approvalpolicies", "approvalrequests"], rules.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(["create", "get", "list", "watch"], rules["approvalrequests"]);
        Assert.Equal(["get", "list", "watch"], rules["approvalpolicies"]);
    }

    [Fact]
    public void Viewers_may_read_and_policy_admins_write_policies_and_nothing_else()
    {
        var viewer = Rules("jit-admission-viewer");
        var admin = Rules("jit-admission-policy-admin");

        Assert.Equal(["get", "list", "watch"], viewer["approvalrequests"]);
        Assert.Equal(["get", "list", "watch"], viewer["approvalpolicies"]);
        Assert.Equal(["approvalpolicies"], admin.Keys);
        Assert.Equal(["create", "delete", "get", "list", "patch", "update", "watch"], admin["approvalpolicies"]);
    }

    [Fact]
    public void Requesters_are_aggregated_to_edit_and_viewers_to_view_and_no_role_may_delete_a_request_or_write_its_status()
    {
        var roles = ChartTools.ParseObjects(File.ReadAllText(Path.Combine(RbacDirectory, "clusterroles.yaml")));
        string? Label(string role, string key) => Text(roles.Single(r => Name(r) == role)["metadata"]!["labels"]?[key]);

        Assert.Equal("true", Label("jit-admission-requester", "rbac.authorization.k8s.io/aggregate-to-edit"));
        Assert.Equal("true", Label("jit-admission-viewer", "rbac.authorization.k8s.io/aggregate-to-view"));
        Assert.Null(Label("jit-admission-approver", "rbac.authorization.k8s.io/aggregate-to-edit"));
        Assert.Null(Label("jit-admission-policy-admin", "rbac.authorization.k8s.io/aggregate-to-admin"));
        foreach (var role in roles)
        {
            var rules = Rules(Name(role));
            Assert.DoesNotContain("approvalrequests/status", rules.Keys);
            Assert.DoesNotContain("delete", rules.GetValueOrDefault("approvalrequests") ?? []);
        }
    }

    [Fact]
    public void The_example_bindings_refer_to_the_shipped_roles()
    {
        var roles = ChartTools.ParseObjects(File.ReadAllText(Path.Combine(RbacDirectory, "clusterroles.yaml"))).Select(Name).ToHashSet(StringComparer.Ordinal);
        var bindings = ChartTools.ParseObjects(File.ReadAllText(Path.Combine(RbacDirectory, "example-bindings.yaml")));

        Assert.Contains(bindings, b => Text(b["roleRef"]!["name"]) == "jit-admission-approver");
        Assert.Contains(bindings, b => Text(b["roleRef"]!["name"]) == "jit-admission-requester");
        Assert.All(bindings, b =>
        {
            Assert.Equal("ClusterRole", Text(b["roleRef"]!["kind"]));
            Assert.Contains(Text(b["roleRef"]!["name"])!, roles);
            Assert.DoesNotContain(Items(b["subjects"]), s => Text(s["name"]) is "system:authenticated" or "system:unauthenticated");
        });
    }
}
