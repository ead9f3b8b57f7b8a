using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using JitAdmission.Core.Admission;
using JitAdmission.Core.Api;
using JitAdmission.Core.Matching;
using JitAdmission.Core.Tests.TestSupport;
using static JitAdmission.Core.Tests.TestSupport.MatchPolicyBuilder;

namespace JitAdmission.Core.Tests.Matching;

/// <summary>
/// The index narrows a request's candidates by namespace when a policy lists only literal namespaces: many per-team
/// policies on one resource cost a request outside their namespaces nothing, and no decision changes.
/// </summary>
public class PolicySetNamespaceTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UnixEpoch;

    private static AdmissionAttributes Deployment(string @namespace) => MatchRequestBuilder.Update().In(@namespace).Build();

    [Fact]
    public void Per_team_policies_are_candidates_only_in_their_namespaces()
    {
        var set = PolicySet.Build(
        [
            .. Enumerable.Range(0, 1000).Select(i => Policy($"team-{i:D4}").Namespaces($"team-{i:D4}").Build()),
            Policy("everywhere").Build(),
            Policy("prod-glob").Namespaces("prod-*").Build(),
            Policy("team-0500-and-glob").Namespaces("team-0500", "x-*").Build(),
        ]);

        Assert.Equal(1003, set.Candidates("apps", "deployments", "", "UPDATE").Count);
        Assert.Equal(["everywhere", "prod-glob", "team-0500-and-glob"], set.ApplicableCandidates(Deployment("elsewhere")).Select(p => p.Name));
        Assert.Equal(["everywhere", "prod-glob", "team-0007", "team-0500-and-glob"], set.ApplicableCandidates(Deployment("team-0007")).Select(p => p.Name));
        Assert.Same(set.ApplicableCandidates(Deployment("team-0007")), set.ApplicableCandidates(Deployment("team-0007")));
    }

    [Fact]
    public void Only_literal_namespace_policies_leave_other_namespaces_with_no_candidate()
    {
        var set = PolicySet.Build([Policy("a").Namespaces("team-a").Build(), Policy("b").Namespaces("team-b", "shared").Build()]);

        Assert.Empty(set.ApplicableCandidates(Deployment("elsewhere")));
        Assert.Same(set.ApplicableCandidates(Deployment("elsewhere")), PolicySet.Empty.ApplicableCandidates(Deployment("elsewhere")));
        Assert.Equal(["b"], set.ApplicableCandidates(Deployment("shared")).Select(p => p.Name));
        // A cluster-scoped object never matches a policy that lists namespaces.
        Assert.Empty(set.ApplicableCandidates(MatchRequestBuilder.Update().In("").Build()));
    }

    [Fact]
    public void A_policy_with_an_invalid_match_section_stays_a_candidate_and_fails_closed()
    {
        var set = PolicySet.Build([Policy("broken").Namespaces("team-a", "Not_A_Namespace").Build()]);

        var evaluation = Assert.Single(PolicyEvaluator.EvaluateApplicable(set, Deployment("elsewhere"), InMemoryClusterContext.Empty, Now));
        Assert.Equal(PolicyOutcome.Error, evaluation.Outcome);
    }

    [Fact]
    public void A_namespace_object_is_narrowed_by_its_own_name()
    {
        var set = PolicySet.Build([Policy("ns").Rule("", "namespaces", "UPDATE").Namespaces("team-a").Build()]);
        AdmissionAttributes Namespace(string name) => MatchRequestBuilder.Update().Resource("", "v1", "namespaces").In("").Named(name).Build();

        Assert.Equal(["ns"], set.ApplicableCandidates(Namespace("team-a")).Select(p => p.Name));
        Assert.Empty(set.ApplicableCandidates(Namespace("team-b")));
    }

    private static readonly string[] NamespaceAlphabet = ["a", "b", "prod-1", "prod-2", "prod-*", "*", "?", "Bad_Name"];
    private static readonly string[] RequestNamespaces = ["a", "b", "prod-1", "prod-2", "c", ""];

    private static Gen<List<ApprovalPolicy>> Policies =>
        from specs in Gen.ListOf(
            from rule in Gen.Elements("deployments", "pods", "*")
            from namespaces in Gen.ListOf(Gen.Elements(NamespaceAlphabet))
            select (rule, namespaces: namespaces.Take(3).ToArray()))
        select specs.Take(20).Select((s, i) => Policy($"p{i:D2}").Rule(s.rule == "pods" ? "" : "*", s.rule, "UPDATE").Namespaces(s.namespaces).Build()).ToList();

    private static Gen<List<AdmissionAttributes>> Requests =>
        from list in Gen.ListOf(
            from ns in Gen.Elements(RequestNamespaces)
            from kind in Gen.Elements("deployments", "pods", "namespaces")
            from name in Gen.Elements("a", "prod-1", "web")
            select kind switch
            {
                "deployments" => MatchRequestBuilder.Update().In(ns).Named(name).Build(),
                "pods" => MatchRequestBuilder.Update().Resource("", "v1", "pods").In(ns).Named(name).Build(),
                _ => MatchRequestBuilder.Update().Resource("", "v1", "namespaces").In("").Named(name).Build(),
            })
        select list.Take(30).ToList();

    [Property(MaxTest = 300)]
    public Property Narrowing_never_changes_a_decision() =>
        Prop.ForAll(Arb.From(Policies), Arb.From(Requests), (policies, requests) =>
        {
            var set = PolicySet.Build(policies);
            foreach (var request in requests)
            {
                // Every policy on its own: what the evaluator decides without the index.
                var expected = set.All
                    .Select(p => PolicyEvaluator.Evaluate(p, request, InMemoryClusterContext.Empty, Now))
                    .Where(e => e.Outcome != PolicyOutcome.NotMatched)
                    .Select(e => $"{e.Policy.Name}:{e.Outcome}");
                var actual = PolicyEvaluator.EvaluateApplicable(set, request, InMemoryClusterContext.Empty, Now)
                    .Where(e => e.Outcome != PolicyOutcome.NotMatched)
                    .Select(e => $"{e.Policy.Name}:{e.Outcome}");
                var candidates = set.ApplicableCandidates(request).Select(p => p.Name).ToList();
                if (!candidates.SequenceEqual(candidates.Order(StringComparer.Ordinal)))
                    return false.Label($"candidates not ordered by name: {string.Join(",", candidates)}");
                if (!expected.SequenceEqual(actual))
                    return false.Label($"{request.Resource} {request.Namespace}/{request.Name}: expected [{string.Join(",", expected)}] got [{string.Join(",", actual)}]");
            }

            return true.ToProperty();
        });
}
