using System.Text.Json.Nodes;
using JitAdmission.Cli.CommandLine;
using JitAdmission.Cli.PolicyTesting;

namespace JitAdmission.Cli.Tests;

/// <summary>
/// How kubectl jit test reads its input: YAML values as kubectl sends them to the API server, and a case's request as
/// the API server would fill it in (resource from the kind, namespaces, the groups every user has).
/// </summary>
public class PolicyTestInputTests
{
    private static JsonNode? Value(string yaml) => YamlJson.Documents("v: " + yaml + "\n", "t.yaml")[0]["v"];

    [Theory]
    [InlineData("\"true\"", "\"true\"")]
    [InlineData("'8080'", "\"8080\"")]
    [InlineData("true", "true")]
    [InlineData("yes", "true")]
    [InlineData("Off", "false")]
    [InlineData("~", "null")]
    [InlineData("null", "null")]
    [InlineData("12", "12")]
    [InlineData("-0x1F", "-31")]
    [InlineData("0o17", "15")]
    [InlineData("010", "8")]
    [InlineData("1_000", "1000")]
    [InlineData("1.5", "1.5")]
    [InlineData("1e3", "1000")]
    [InlineData("\"18:00\"", "\"18:00\"")]
    [InlineData("18:00", "\"18:00\"")]
    [InlineData("1.2.3", "\"1.2.3\"")]
    [InlineData("v1", "\"v1\"")]
    [InlineData("!!str 12", "\"12\"")]
    public void Yaml_scalars_read_as_kubectl_sends_them(string yaml, string json)
    {
        Assert.Equal(json, Value(yaml)?.ToJsonString() ?? "null");
    }

    [Fact]
    public void Empty_documents_are_skipped_and_a_bad_tag_is_an_error_with_its_line()
    {
        Assert.Single(YamlJson.Documents("---\n# nothing\n---\na: 1\n---\n", "t.yaml"));
        var error = Assert.Throws<CliException>(() => YamlJson.Documents("a: 1\nb: !!binary eA==\n", "t.yaml"));
        Assert.Equal(ExitCodes.Usage, error.ExitCode);
        Assert.Equal("t.yaml: line 2: the YAML tag tag:yaml.org,2002:binary is not supported", error.Message);
    }

    private static JsonObject Object(string json) => (JsonObject)JsonNode.Parse(json)!;

    private static CliException Fail(string field, string problem) => new($"{field}: {problem}", ExitCodes.Usage);

    [Theory]
    [InlineData("apps/v1", "Deployment", "apps", "deployments", "default")]
    [InlineData("networking.k8s.io/v1", "NetworkPolicy", "networking.k8s.io", "networkpolicies", "default")]
    [InlineData("v1", "Namespace", "", "namespaces", "thing")]
    [InlineData("rbac.authorization.k8s.io/v1", "ClusterRole", "rbac.authorization.k8s.io", "clusterroles", "")]
    [InlineData("example.com/v1", "Gateway", "example.com", "gateways", "")]
    [InlineData("example.com/v1", "Policy", "example.com", "policies", "")]
    [InlineData("example.com/v1", "Ingress", "example.com", "ingresses", "")]
    public void The_resource_comes_from_the_object_s_kind_and_the_namespace_as_the_api_server_sets_it(
        string apiVersion, string kind, string group, string resource, string expectedNamespace)
    {
        var request = CaseRequest.Build(new CaseRequestSpec
        {
            Operation = "CREATE",
            User = "alice",
            Object = new JsonObject { ["apiVersion"] = apiVersion, ["kind"] = kind, ["metadata"] = new JsonObject { ["name"] = "thing" } },
        }, "uid", Fail);

        Assert.Equal((group, resource, ""), (request.Resource.Group, request.Resource.Resource, request.SubResource));
        Assert.Equal(expectedNamespace, request.Namespace);
        Assert.Equal("thing", request.Name);
        Assert.Equal(kind, request.Kind?.Kind);
    }

    [Fact]
    public void A_subresource_takes_the_group_of_its_resource_not_of_the_object_it_carries()
    {
        var request = CaseRequest.Build(new CaseRequestSpec
        {
            Operation = "CREATE",
            User = "alice",
            Resource = "pods/eviction",
            Object = Object("""{"apiVersion": "policy/v1", "kind": "Eviction", "metadata": {"name": "web-0", "namespace": "prod"}}"""),
        }, "uid", Fail);

        Assert.Equal(("", "v1", "pods", "eviction"), (request.Resource.Group, request.Resource.Version, request.Resource.Resource, request.SubResource));
        Assert.Equal(("prod", "web-0"), (request.Namespace, request.Name));
        Assert.Equal("policy", request.Kind?.Group);
    }

    [Fact]
    public void Every_user_has_system_authenticated_and_service_accounts_their_groups()
    {
        var spec = new CaseRequestSpec
        {
            Operation = "DELETE",
            User = "system:serviceaccount:ci:deployer",
            Groups = ["team"],
            OldObject = Object("""{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "namespace": "prod"}}"""),
        };

        var request = CaseRequest.Build(spec, "uid", Fail);

        Assert.Equal(["team", "system:serviceaccounts", "system:serviceaccounts:ci", "system:authenticated"], request.UserInfo.Groups);
        Assert.False(request.Object.IsPresent);
        Assert.True(request.OldObject.IsPresent);
    }

    [Fact]
    public void A_custom_resource_named_without_its_group_is_an_error_rather_than_a_guess()
    {
        var error = Assert.Throws<CliException>(() => CaseRequest.Build(new CaseRequestSpec
        {
            Operation = "CONNECT",
            User = "alice",
            Resource = "widgets/proxy",
            Name = "w",
        }, "uid", Fail));

        Assert.Equal("apiVersion: \"widgets\" is not a built-in resource: give its group and version (apiVersion: example.com/v1)", error.Message);
    }
}
