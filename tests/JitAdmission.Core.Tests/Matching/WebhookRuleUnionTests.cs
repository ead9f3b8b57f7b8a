using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using JitAdmission.Core.Api;
using JitAdmission.Core.Matching;
using JitAdmission.Core.Tests.TestSupport;
using static JitAdmission.Core.Tests.TestSupport.MatchPolicyBuilder;

namespace JitAdmission.Core.Tests.Matching;

public class WebhookRuleUnionTests
{
    private static string Show(IReadOnlyList<ResourceRule> rules) => string.Join(" | ", rules.Select(r =>
        $"[{string.Join(",", r.ApiGroups)}] [{string.Join(",", r.ApiVersions)}] [{string.Join(",", r.Resources)}] [{string.Join(",", r.Operations)}]"));

    public static TheoryData<string, ResourceRule[], string> Cases => new()
    {
        { "nothing", [], "" },
        { "one rule", [Rule(["apps"], ["deployments"], ["UPDATE"])], "[apps] [*] [deployments] [UPDATE]" },
        { "duplicates collapse", [Rule(["apps"], ["deployments"], ["UPDATE"]), Rule(["apps"], ["deployments"], ["UPDATE"])], "[apps] [*] [deployments] [UPDATE]" },
        { "operations merge", [Rule(["apps"], ["deployments"], ["UPDATE"]), Rule(["apps"], ["deployments"], ["DELETE"])], "[apps] [*] [deployments] [DELETE,UPDATE]" },
        { "all four operations are *", [Rule(["apps"], ["deployments"], ["CREATE", "UPDATE"]), Rule(["apps"], ["deployments"], ["DELETE", "CONNECT"])], "[apps] [*] [deployments] [*]" },
        { "resources with the same operations share a rule", [Rule(["apps"], ["deployments"], ["UPDATE"]), Rule(["apps"], ["statefulsets"], ["UPDATE"])], "[apps] [*] [deployments,statefulsets] [UPDATE]" },
        { "groups with the same resources share a rule", [Rule(["apps"], ["deployments"], ["UPDATE"]), Rule(["extensions"], ["deployments"], ["UPDATE"])], "[apps,extensions] [*] [deployments] [UPDATE]" },
        { "a wildcard resource absorbs named ones", [Rule(["apps"], ["deployments"], ["UPDATE"]), Rule(["apps"], ["*"], ["UPDATE", "DELETE"])], "[apps] [*] [*] [DELETE,UPDATE]" },
        { "a wildcard resource keeps subresources", [Rule(["apps"], ["*"], ["UPDATE"]), Rule(["apps"], ["deployments/scale"], ["UPDATE"])], "[apps] [*] [*,deployments/scale] [UPDATE]" },
        { "*/* absorbs everything in its group", [Rule([""], ["*/*"], ["*"]), Rule([""], ["pods/exec"], ["CONNECT"]), Rule([""], ["configmaps"], ["UPDATE"])], "[] [*] [*/*] [*]" },
        { "pods/* absorbs pods and pods/exec", [Rule([""], ["pods/*"], ["*"]), Rule([""], ["pods"], ["DELETE"]), Rule([""], ["pods/exec"], ["CONNECT"])], "[] [*] [pods/*] [*]" },
        { "*/scale absorbs deployments/scale", [Rule(["*"], ["*/scale"], ["UPDATE"]), Rule(["apps"], ["deployments/scale"], ["UPDATE"])], "[*] [*] [*/scale] [UPDATE]" },
        { "a wildcard group absorbs named groups", [Rule(["*"], ["deployments"], ["UPDATE"]), Rule(["apps"], ["deployments"], ["UPDATE"])], "[*] [*] [deployments] [UPDATE]" },
        { "versions are kept when narrower", [Rule(["apps"], ["deployments"], ["UPDATE"], ["v1"]), Rule(["apps"], ["deployments"], ["UPDATE"], ["v1beta2"])], "[apps] [v1,v1beta2] [deployments] [UPDATE]" },
        { "a wildcard version absorbs named ones", [Rule(["apps"], ["deployments"], ["UPDATE"], ["v1"]), Rule(["apps"], ["deployments"], ["UPDATE"], ["*"])], "[apps] [*] [deployments] [UPDATE]" },
        { "empty versions mean all", [Rule(["apps"], ["deployments"], ["UPDATE"], [])], "[apps] [*] [deployments] [UPDATE]" },
        { "invalid entries are left out", [Rule(["apps", "Bad_Group"], ["deploy*", "deployments"], ["update", "UPDATE"])], "[apps] [*] [deployments] [UPDATE]" },
        { "a rule with nothing valid adds nothing", [Rule(["apps"], ["deploy*"], ["UPDATE"])], "" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Union_is_merged_and_minimal(string name, ResourceRule[] rules, string expected)
    {
        var policies = rules.Select((r, i) => Policy($"{name}-{i}").Rules(r).Build());

        Assert.Equal(expected, Show(WebhookRuleUnion.Compute(policies)));
    }

    [Fact]
    public void Invalid_policies_still_contribute_their_rules()
    {
        var invalid = Policy("broken").Condition("c", "nope(").With(s => s.Approval.Approvers.Clear()).Build();

        Assert.Equal("[apps] [*] [deployments] [UPDATE]", Show(WebhookRuleUnion.Compute([invalid])));
    }

    [Fact]
    public void Output_is_deterministic_whatever_the_policy_order()
    {
        var policies = new[]
        {
            Policy("a").Rules(Rule(["apps"], ["deployments"], ["UPDATE"]), Rule([""], ["pods/exec"], ["CONNECT"])).Build(),
            Policy("b").Rules(Rule(["batch"], ["jobs"], ["DELETE"], ["v1"])).Build(),
            Policy("c").Rules(Rule(["*"], ["*/scale"], ["UPDATE"])).Build(),
        };

        Assert.Equal(Show(WebhookRuleUnion.Compute(policies)), Show(WebhookRuleUnion.Compute(policies.Reverse())));
    }

    [Property(MaxTest = 300)]
    public Property Union_admits_exactly_what_some_policy_can_match_and_is_valid_for_the_API_server() =>
        Prop.ForAll(Arb.From(MatchReference.Policies), Arb.From(MatchReference.Requests), (policies, requests) =>
        {
            var union = WebhookRuleUnion.Compute(policies);
            var invalid = union.Select(KubernetesRuleError).FirstOrDefault(e => e is not null);
            if (invalid is not null) return false.Label($"invalid rule: {invalid} in {Show(union)}");
            foreach (var r in requests)
            {
                var expected = policies.Any(p => p.Spec.Match.Resources.Any(rule => MatchReference.RuleMayGate(rule, r)));
                var actual = union.Any(rule => MatchReference.RuleMatches(rule, r));
                if (expected != actual) return false.Label($"{r}: policies {expected}, union {actual}: {Show(union)}");
            }

            return true.ToProperty();
        });

    /// <summary>The API server's checks on a webhook rule (admissionregistration validation).</summary>
    private static string? KubernetesRuleError(ResourceRule rule)
    {
        if (rule.ApiGroups.Count == 0 || rule.ApiVersions.Count == 0 || rule.Resources.Count == 0 || rule.Operations.Count == 0) return "empty list";
        if (rule.ApiGroups.Contains("*") && rule.ApiGroups.Count > 1) return "'*' with other groups";
        if (rule.ApiVersions.Contains("*") && rule.ApiVersions.Count > 1) return "'*' with other versions";
        if (rule.Operations.Contains("*") && rule.Operations.Count > 1) return "'*' with other operations";
        if (rule.Resources.Contains("*/*") && rule.Resources.Count > 1) return "'*/*' with other resources";
        if (rule.Resources.Contains("*") && rule.Resources.Any(r => r != "*" && !r.Contains('/', StringComparison.Ordinal))) return "'*' with other resources without subresources";
        foreach (var wild in rule.Resources.Where(r => r.EndsWith("/*", StringComparison.Ordinal)))
        {
            var resource = wild[..^2];
            if (rule.Resources.Any(r => r != wild && (r == resource || r.StartsWith(resource + "/", StringComparison.Ordinal)))) return $"'{wild}' with {resource}";
        }

        foreach (var wild in rule.Resources.Where(r => r.StartsWith("*/", StringComparison.Ordinal) && r != "*/*"))
        {
            var sub = wild[2..];
            if (rule.Resources.Any(r => r != wild && r.EndsWith("/" + sub, StringComparison.Ordinal))) return $"'{wild}' with another {sub}";
        }

        return rule.Resources.Count != rule.Resources.Distinct().Count() ? "duplicate resources" : null;
    }
}
