using JitAdmission.Core.Api;
using JitAdmission.Core.Matching;

namespace JitAdmission.Core.Tests.Matching;

public class ResourceRuleTests
{
    public static TheoryData<string, string, string, bool> PatternCases => new()
    {
        // pattern, resource, subresource, matches — Kubernetes webhook rule semantics
        { "deployments", "deployments", "", true },
        { "deployments", "deployments", "scale", false },
        { "deployments/scale", "deployments", "scale", true },
        { "deployments/scale", "deployments", "", false },
        { "deployments/scale", "replicasets", "scale", false },
        { "*/scale", "deployments", "scale", true },
        { "*/scale", "statefulsets", "scale", true },
        { "*/scale", "deployments", "", false },
        { "*/scale", "pods", "exec", false },
        { "pods/*", "pods", "exec", true },
        { "pods/*", "pods", "attach", true },
        { "pods/*", "pods", "", true },
        { "pods/*", "services", "proxy", false },
        { "*", "pods", "", true },
        { "*", "pods", "exec", false },
        { "*/*", "pods", "exec", true },
        { "*/*", "secrets", "", true },
        { "pods/exec", "pods", "exec", true },
        { "pods/exec", "pods", "attach", false },
    };

    [Theory]
    [MemberData(nameof(PatternCases))]
    public void Patterns_match_resources_and_subresources_like_webhook_rules(string pattern, string resource, string sub, bool expected)
    {
        Assert.True(ResourcePattern.TryParse(pattern, out var parsed, out _));
        Assert.Equal(expected, parsed.Value.Matches(resource, sub));
    }

    [Theory]
    [InlineData("")]
    [InlineData("deploy*")]
    [InlineData("Deployments")]
    [InlineData("pods/")]
    [InlineData("/exec")]
    [InlineData("pods/exec/extra")]
    [InlineData("pods/ex*")]
    [InlineData("**")]
    public void Malformed_patterns_are_rejected(string pattern)
    {
        Assert.False(ResourcePattern.TryParse(pattern, out _, out var error));
        Assert.NotEmpty(error);
    }

    public static TheoryData<ResourceRule, string, string, string, string, string, bool> RuleCases => new()
    {
        { Rule(["apps"], ["v1"], ["deployments"], ["UPDATE"]), "apps", "v1", "deployments", "", "UPDATE", true },
        { Rule(["apps"], ["v1"], ["deployments"], ["UPDATE"]), "apps", "v1beta1", "deployments", "", "UPDATE", false },
        { Rule(["apps"], ["*"], ["deployments"], ["UPDATE"]), "apps", "v1beta1", "deployments", "", "UPDATE", true },
        { Rule(["apps"], [], ["deployments"], ["UPDATE"]), "apps", "v1beta1", "deployments", "", "UPDATE", true },
        { Rule(["apps"], ["*"], ["deployments"], ["UPDATE"]), "", "v1", "deployments", "", "UPDATE", false },
        { Rule(["*"], ["*"], ["deployments"], ["UPDATE"]), "extensions", "v1beta1", "deployments", "", "UPDATE", true },
        { Rule([""], ["*"], ["pods/exec"], ["CONNECT"]), "", "v1", "pods", "exec", "CONNECT", true },
        { Rule([""], ["*"], ["pods/exec"], ["CONNECT"]), "", "v1", "pods", "exec", "CREATE", false },
        { Rule(["apps"], ["*"], ["deployments"], ["*"]), "apps", "v1", "deployments", "", "DELETE", true },
        { Rule(["apps"], ["*"], ["deployments"], ["CREATE", "DELETE"]), "apps", "v1", "deployments", "", "UPDATE", false },
        { Rule(["apps"], ["*"], ["deployments", "*/scale"], ["UPDATE"]), "apps", "v1", "statefulsets", "scale", "UPDATE", true },
        { Rule(["apps"], ["*"], ["deploy*"], ["UPDATE"]), "apps", "v1", "deployments", "", "UPDATE", false },
        { Rule(["apps"], ["*"], ["deployments"], ["update"]), "apps", "v1", "deployments", "", "UPDATE", false },
        { Rule([], ["*"], ["deployments"], ["UPDATE"]), "apps", "v1", "deployments", "", "UPDATE", false },
        { Rule(["apps"], ["*"], [], ["UPDATE"]), "apps", "v1", "deployments", "", "UPDATE", false },
        { Rule(["apps"], ["*"], ["deployments"], []), "apps", "v1", "deployments", "", "UPDATE", false },
    };

    [Theory]
    [MemberData(nameof(RuleCases))]
    public void Rules_match_group_version_resource_and_operation(ResourceRule rule, string group, string version, string resource, string sub, string operation, bool expected) =>
        Assert.Equal(expected, CompiledResourceRule.From(rule).Matches(group, version, resource, sub, operation));

    private static ResourceRule Rule(string[] groups, string[] versions, string[] resources, string[] operations) => new()
    {
        ApiGroups = [.. groups],
        ApiVersions = [.. versions],
        Resources = [.. resources],
        Operations = [.. operations],
    };
}
