using System.Diagnostics;
using JitAdmission.Core.Api;
using JitAdmission.Core.Matching;
using JitAdmission.Core.Tests.TestSupport;
using static JitAdmission.Core.Tests.TestSupport.MatchPolicyBuilder;

namespace JitAdmission.Core.Tests.Matching;

public class PolicySetTests
{
    private static readonly PolicySet Set = PolicySet.Build(
    [
        Policy("deploy-update").Rule("apps", "deployments", "UPDATE").Build(),
        Policy("any-group-delete").Rules(Rule(["*"], ["*"], ["DELETE"])).Build(),
        Policy("scale").Rule("*", "*/scale", "UPDATE").Build(),
        Policy("exec").Rule("", "pods/exec", "CONNECT").Build(),
        Policy("pods-all").Rule("", "pods/*", "*").Build(),
        Policy("everything-in-batch").Rules(Rule(["batch"], ["*/*"], ["*"])).Build(),
        Policy("two-rules").Rules(Rule(["apps"], ["statefulsets"], ["CREATE"]), Rule([""], ["configmaps"], ["UPDATE"])).Build(),
    ]);

    public static TheoryData<string, string, string, string, string[]> Lookups => new()
    {
        // A DELETE rule is a candidate for UPDATEs of the main resource too (they may hand the object over for deletion).
        { "apps", "deployments", "", "UPDATE", ["any-group-delete", "deploy-update"] },
        { "apps", "deployments", "", "DELETE", ["any-group-delete"] },
        { "apps", "deployments", "scale", "UPDATE", ["scale"] },
        { "apps", "deployments", "scale", "DELETE", [] },
        { "", "pods", "exec", "CONNECT", ["exec", "pods-all"] },
        { "", "pods", "", "DELETE", ["any-group-delete", "pods-all"] },
        { "", "pods", "attach", "CONNECT", ["pods-all"] },
        { "", "pods", "status", "DELETE", ["pods-all"] },
        { "batch", "jobs", "status", "UPDATE", ["everything-in-batch"] },
        { "batch", "jobs", "", "DELETE", ["any-group-delete", "everything-in-batch"] },
        { "apps", "statefulsets", "", "CREATE", ["two-rules"] },
        { "apps", "configmaps", "", "UPDATE", ["any-group-delete"] },
        { "", "configmaps", "", "UPDATE", ["any-group-delete", "two-rules"] },
        { "", "statefulsets", "", "CREATE", [] },
        { "", "secrets", "", "CREATE", [] },
    };

    [Theory]
    [MemberData(nameof(Lookups))]
    public void Candidates_come_from_exact_and_wildcard_keys(string group, string resource, string sub, string operation, string[] expected)
    {
        Assert.Equal(expected, Set.Candidates(group, resource, sub, operation).Select(p => p.Name));
        // A second lookup (served from the memo) gives the same answer.
        Assert.Equal(expected, Set.Candidates(group, resource, sub, operation).Select(p => p.Name));
    }

    [Fact]
    public void No_candidates_is_a_shared_empty_list()
    {
        Assert.Same(Set.Candidates("", "secrets", "", "CREATE"), Set.Candidates("", "nodes", "", "CREATE"));
        Assert.Same(Set.Candidates("", "secrets", "", "CREATE"), PolicySet.Empty.Candidates("", "secrets", "", "CREATE"));
    }

    [Fact]
    public void A_lookup_that_finds_nothing_allocates_nothing()
    {
        var many = PolicySet.Build(Enumerable.Range(0, 1000).Select(i => Policy($"p{i:D4}").Rule(i % 2 == 0 ? "apps" : "*", $"r{i}", "UPDATE").Build()));
        many.Candidates("", "secrets", "", "CREATE");
        Set.Candidates("", "secrets", "", "CREATE");

        // The least of three runs: a one-off allocation by the runtime (a tier-up while the loop runs) is not ours; an
        // allocation per lookup shows in every run.
        var least = long.MaxValue;
        for (var run = 0; run < 3; run++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < 10_000; i++)
            {
                many.Candidates("", "secrets", "", "CREATE");
                Set.Candidates("", "secrets", "", "CREATE");
            }

            least = Math.Min(least, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        Assert.Equal(0, least);
    }

    [Fact]
    public void Lookups_stay_correct_beyond_the_memo_bound()
    {
        var set = PolicySet.Build([Policy("any").Rules(Rule(["*"], ["*"], ["DELETE"])).Build()]);
        for (var i = 0; i < 17_000; i++)
        {
            Assert.Single(set.Candidates("g", $"r{i}", "", "DELETE"));
        }

        Assert.Empty(set.Candidates("g", "r16999", "", "CREATE"));
        Assert.Single(set.Candidates("g", "r16999", "", "DELETE"));
    }

    [Fact]
    public void Get_and_All_expose_every_policy_by_name()
    {
        Assert.Equal(Set.All.Select(p => p.Name).Order(StringComparer.Ordinal), Set.All.Select(p => p.Name));
        Assert.Equal(7, Set.All.Count);
        Assert.Equal("exec", Set.Get("exec")?.Name);
        Assert.Null(Set.Get("missing"));
    }

    [Fact]
    public void Same_uid_and_generation_reuse_the_compilation()
    {
        var first = PolicySet.Build([Policy("a").Condition("c", "true").Generation(3).Build()]);
        var copy = Policy("a").Condition("c", "true").Generation(3).Build();
        copy.Metadata.Labels = new Dictionary<string, string> { ["changed"] = "metadata" };

        var second = PolicySet.Build([copy], first);

        Assert.Same(first.Get("a")!.Conditions, second.Get("a")!.Conditions);
        Assert.Same(copy, second.Get("a")!.Policy);
    }

    [Fact]
    public void A_new_generation_or_a_new_uid_recompiles()
    {
        var first = PolicySet.Build([Policy("a").Condition("c", "true").Generation(3).Build()]);

        var newGeneration = PolicySet.Build([Policy("a").Condition("c", "false").Generation(4).Build()], first);
        var recreated = PolicySet.Build([Policy("a").Condition("c", "true").Generation(3, uid: "other-uid").Build()], first);

        Assert.NotSame(first.Get("a")!.Conditions, newGeneration.Get("a")!.Conditions);
        Assert.Equal("false", newGeneration.Get("a")!.Conditions[0].Expression);
        Assert.NotSame(first.Get("a")!.Conditions, recreated.Get("a")!.Conditions);
    }

    [Fact]
    public void Without_a_generation_the_spec_decides_reuse()
    {
        var first = PolicySet.Build([Policy("a").Condition("c", "true").Generation(0).Build()]);

        var same = PolicySet.Build([Policy("a").Condition("c", "true").Generation(0).Build()], first);
        var changed = PolicySet.Build([Policy("a").Condition("c", "1 == 1").Generation(0).Build()], first);

        Assert.Same(first.Get("a")!.Conditions, same.Get("a")!.Conditions);
        Assert.NotSame(first.Get("a")!.Conditions, changed.Get("a")!.Conditions);
    }

    [Fact]
    public void Removed_policies_leave_the_index()
    {
        var first = PolicySet.Build([Policy("a").Build(), Policy("b").Build()]);

        var second = PolicySet.Build([Policy("b").Build()], first);

        Assert.Null(second.Get("a"));
        Assert.Equal(["b"], second.Candidates("apps", "deployments", "", "UPDATE").Select(p => p.Name));
    }

    [Fact]
    public void Invalid_policies_are_indexed_so_that_they_fail_closed()
    {
        var set = PolicySet.Build([Policy("bad").Condition("c", "nope(").Build()]);

        var candidate = Assert.Single(set.Candidates("apps", "deployments", "", "UPDATE"));

        Assert.False(candidate.IsValid);
        Assert.Equal(Enforcement.Enforce, candidate.Enforcement);
    }

    [Fact]
    public void Concurrent_lookups_agree()
    {
        var expected = Set.Candidates("", "pods", "", "DELETE").Select(p => p.Name).ToArray();
        var fresh = PolicySet.Build(Set.All.Select(p => p.Policy));
        Parallel.For(0, 20_000, i =>
        {
            var names = fresh.Candidates("", "pods", i % 2 == 0 ? "" : "x" + (i % 50), "DELETE").Select(p => p.Name).ToArray();
            if (i % 2 == 0) Assert.Equal(expected, names);
        });
    }
}
