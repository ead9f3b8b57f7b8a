using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using JitAdmission.Core.Matching;
using JitAdmission.Core.Tests.TestSupport;

namespace JitAdmission.Core.Tests.Matching;

public class PolicySetPropertyTests
{
    [Property(MaxTest = 300)]
    public Property Index_gives_the_same_candidates_as_a_linear_scan() =>
        Prop.ForAll(Arb.From(MatchReference.Policies), Arb.From(MatchReference.Requests), (policies, requests) =>
        {
            var set = PolicySet.Build(policies);
            foreach (var r in requests)
            {
                var expected = policies
                    .Where(p => p.Spec.Match.Resources.Any(rule => MatchReference.RuleMayGate(rule, r, checkVersion: false)))
                    .Select(p => p.Metadata.Name)
                    .Order(StringComparer.Ordinal);
                var actual = set.Candidates(r.Group, r.Resource, r.Sub, r.Operation).Select(p => p.Name);
                if (!expected.SequenceEqual(actual)) return false.Label($"{r}: expected [{string.Join(",", expected)}] got [{string.Join(",", actual)}]");
            }

            return true.ToProperty();
        });

    [Property(MaxTest = 300)]
    public Property Evaluator_matches_resources_exactly_as_the_rules_say() =>
        Prop.ForAll(Arb.From(MatchReference.Policies), Arb.From(MatchReference.Requests), (policies, requests) =>
        {
            var set = PolicySet.Build(policies);
            foreach (var r in requests)
            {
                var request = MatchRequestBuilder.Update().Operation(r.Operation).Resource(r.Group, r.Version, r.Resource, r.Sub).Build();
                var matched = PolicyEvaluator.Evaluate(set, request, InMemoryClusterContext.Empty, DateTimeOffset.UnixEpoch)
                    .Where(e => e.IsMatched).Select(e => e.Policy.Name);
                var expected = policies
                    .Where(p => p.Spec.Match.Resources.Any(rule => MatchReference.RuleMatches(rule, r)))
                    .Select(p => p.Metadata.Name)
                    .Order(StringComparer.Ordinal);
                if (!expected.SequenceEqual(matched)) return false.Label($"{r}: expected [{string.Join(",", expected)}] got [{string.Join(",", matched)}]");
            }

            return true.ToProperty();
        });
}
