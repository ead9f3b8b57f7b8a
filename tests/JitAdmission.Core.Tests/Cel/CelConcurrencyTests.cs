using JitAdmission.Core.Api;
using JitAdmission.Core.Cel;
using JitAdmission.Core.Matching;
using JitAdmission.Core.Tests.TestSupport;

namespace JitAdmission.Core.Tests.Cel;

/// <summary>Compiled programs are shared by every request the webhook serves at once: evaluating them in parallel
/// must give exactly the sequential answers.</summary>
public class CelConcurrencyTests
{
    private static readonly CompiledCondition[] Conditions =
    [
        Compile("object.spec.containers.exists(c, c.name == 'b' && c.n > 2) && object.metadata.name.startsWith('w')"),
        Compile("object.spec.containers.map(c, c.n * 2).filter(x, x > 2).size() == 2 && request.userInfo.groups.exists(g, g == 'ops')"),
        Compile("has(object.metadata.labels.app) && object.metadata.labels['app'] == 'web' && object.metadata.name.matches('^w[a-z]+$')"),
        Compile("object.spec.containers[1].n == 4 || now.getHours('Europe/Berlin') == 13"),
    ];

    private static CompiledCondition Compile(string expression) =>
        CompiledCondition.Compile(new PolicyCondition { Name = "c", Expression = expression }, new HashSet<string>());

    private static CelRequestVariables Input(int i)
    {
        var json = $$$"""
            {"metadata":{"name":"{{{(i % 2 == 0 ? "web" : "wxb1")}}}","labels":{"app":"{{{(i % 3 == 0 ? "web" : "db")}}}"}},
             "spec":{"containers":[{"name":"a","n":1},{"name":"b","n":{{{i % 5}}}},{"name":"c","n":3}]}}
            """;
        var request = MatchRequestBuilder.Update().Object(json).By($"user{i}", i % 7 == 0 ? "ops" : "dev").Build();
        return new CelRequestVariables(request, InMemoryClusterContext.Empty, new DateTimeOffset(2025, 6, 1, 11 + (i % 3), 0, 0, TimeSpan.Zero));
    }

    [Fact]
    public void Parallel_evaluation_gives_the_sequential_results()
    {
        const int n = 4000;
        var expected = new ConditionOutcome[n, Conditions.Length];
        for (var i = 0; i < n; i++)
        {
            var variables = Input(i).ForPolicy([]);
            for (var c = 0; c < Conditions.Length; c++) expected[i, c] = Conditions[c].Evaluate(variables).Outcome;
        }

        // Both outcomes occur, so a constant answer could not pass.
        Assert.Contains(ConditionOutcome.True, expected.Cast<ConditionOutcome>());
        Assert.Contains(ConditionOutcome.False, expected.Cast<ConditionOutcome>());

        var mismatches = 0;
        Parallel.For(0, n * 4, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(4, Environment.ProcessorCount * 2) }, k =>
        {
            var i = k % n;
            var variables = Input(i).ForPolicy([]);
            for (var c = 0; c < Conditions.Length; c++)
            {
                if (Conditions[c].Evaluate(variables).Outcome != expected[i, c]) Interlocked.Increment(ref mismatches);
            }
        });

        Assert.Equal(0, mismatches);
    }

    [Fact]
    public void One_request_view_can_be_shared_by_policies_evaluated_in_parallel()
    {
        for (var round = 0; round < 200; round++)
        {
            var shared = Input(round);
            var expected = Conditions.Select(c => c.Evaluate(Input(round).ForPolicy([])).Outcome).ToArray();
            var actual = new ConditionOutcome[Conditions.Length * 8];
            Parallel.For(0, actual.Length, k => actual[k] = Conditions[k % Conditions.Length].Evaluate(shared.ForPolicy([])).Outcome);
            for (var k = 0; k < actual.Length; k++) Assert.Equal(expected[k % Conditions.Length], actual[k]);
        }
    }
}
