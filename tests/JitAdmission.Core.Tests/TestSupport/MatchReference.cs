using JitAdmission.Core.Api;
using FsCheck;
using FsCheck.Fluent;

namespace JitAdmission.Core.Tests.TestSupport;

/// <summary>An independent, deliberately naive statement of Kubernetes webhook rule matching, and generators of
/// random rules and requests over small alphabets (so that collisions and wildcards are frequent).</summary>
public static class MatchReference
{
    public sealed record Req(string Group, string Version, string Resource, string Sub, string Operation)
    {
        public override string ToString() => $"{Operation} {Group}/{Version}/{Resource}{(Sub.Length > 0 ? "/" + Sub : "")}";
    }

    public static bool RuleMatches(ResourceRule rule, Req r, bool checkVersion = true) =>
        rule.ApiGroups.Any(g => g == "*" || g == r.Group) &&
        (!checkVersion || rule.ApiVersions.Count == 0 || rule.ApiVersions.Any(v => v == "*" || v == r.Version)) &&
        rule.Operations.Any(o => o == "*" || o == r.Operation) &&
        rule.Resources.Any(res =>
        {
            var parts = res.Split('/');
            var (resource, sub) = parts.Length == 1 ? (parts[0], "") : (parts[0], parts[1]);
            return (resource == "*" || resource == r.Resource) && (sub == "*" || sub == r.Sub);
        });

    /// <summary>
    /// What reaches the webhook and the policy index: a rule's own requests, plus, for a rule gating DELETE, the UPDATEs
    /// of the main resource (one of them may hand the object to a controller that deletes it).
    /// </summary>
    public static bool RuleMayGate(ResourceRule rule, Req r, bool checkVersion = true) =>
        RuleMatches(rule, r, checkVersion) || (r.Operation == "UPDATE" && r.Sub.Length == 0 && RuleMatches(rule, r with { Operation = "DELETE" }, checkVersion));

    private static readonly string[] Groups = ["", "apps", "batch", "*"];
    private static readonly string[] Versions = ["v1", "v2", "*"];
    private static readonly string[] Resources = ["pods", "deployments", "jobs", "*", "pods/exec", "pods/*", "*/scale", "*/*", "deployments/scale", "jobs/status"];
    private static readonly string[] Ops = ["CREATE", "UPDATE", "DELETE", "CONNECT", "*"];

    public static Gen<ResourceRule> Rule =>
        from groups in Gen.NonEmptyListOf(Gen.Elements(Groups))
        from versions in Gen.ListOf(Gen.Elements(Versions))
        from resources in Gen.NonEmptyListOf(Gen.Elements(Resources))
        from ops in Gen.NonEmptyListOf(Gen.Elements(Ops))
        select new ResourceRule
        {
            ApiGroups = [.. groups.Distinct().Take(3)],
            ApiVersions = [.. versions.Distinct().Take(2)],
            Resources = [.. resources.Distinct().Take(3)],
            Operations = [.. ops.Distinct().Take(3)],
        };

    public static Gen<List<ApprovalPolicy>> Policies =>
        from rules in Gen.ListOf(Gen.Choose(1, 2).SelectMany(n => Gen.ListOf(Rule, n)))
        select rules.Take(25).Select((r, i) => MatchPolicyBuilder.Policy($"p{i:D2}").Rules([.. r]).Build()).ToList();

    public static Gen<Req> Request =>
        from g in Gen.Elements("", "apps", "batch", "other")
        from v in Gen.Elements("v1", "v2")
        from r in Gen.Elements("pods", "deployments", "jobs", "secrets")
        from s in Gen.Elements("", "", "exec", "scale", "status")
        from o in Gen.Elements("CREATE", "UPDATE", "DELETE", "CONNECT")
        select new Req(g, v, r, s, o);

    public static Gen<List<Req>> Requests => Gen.ListOf(Request).Select(l => l.Take(40).ToList());
}
