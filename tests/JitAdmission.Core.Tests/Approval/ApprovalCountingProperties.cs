using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using JitAdmission.Core.Api;
using JitAdmission.Core.Approval;
using static JitAdmission.Core.Tests.TestSupport.ApprovalFixtures;

namespace JitAdmission.Core.Tests.Approval;

/// <summary>Policies (each a list of entries: group, need) and reviewers (name, groups): a small random approval world.</summary>
public sealed record CountingWorld(
    IReadOnlyList<IReadOnlyList<(string Group, int Need)>> Policies, IReadOnlyList<(string Name, string[] Groups)> Reviewers)
{
    public IEnumerable<string> PolicyNames => Policies.Select((_, i) => $"p{i}");

    public override string ToString() =>
        $"policies [{string.Join("; ", Policies.Select((p, i) => $"p{i}: " + string.Join(", ", p.Select(e => $"{e.Group}×{e.Need}"))))}] "
        + $"reviewers [{string.Join(", ", Reviewers.Select(r => $"{r.Name}:{string.Join("+", r.Groups)}"))}]";
}

public static class CountingWorlds
{
    private static readonly string[] Groups = ["g0", "g1", "g2"];

    private static Gen<IReadOnlyList<(string Group, int Need)>> PolicyEntries() =>
        from entryCount in Gen.Choose(1, 3)
        from groups in Gen.ArrayOf(Gen.Elements(Groups), entryCount)
        from needs in Gen.ArrayOf(Gen.Choose(1, 2), entryCount)
        select (IReadOnlyList<(string Group, int Need)>)[.. groups.Zip(needs)];

    public static Arbitrary<CountingWorld> Worlds() =>
        (from policyCount in Gen.Choose(1, 3)
         from policies in Gen.ArrayOf(PolicyEntries(), policyCount)
         from reviewerCount in Gen.Choose(0, 5)
         from memberships in Gen.ArrayOf(Gen.SubListOf(Groups), reviewerCount)
         select new CountingWorld(
             policies,
             [.. memberships.Select((groups, i) => ($"r{i}", groups.ToArray()))]))
        .ToArbitrary();
}

[Properties(Arbitrary = [typeof(CountingWorlds)], MaxTest = 300)]
public class ApprovalCountingProperties
{
    private static ApprovalPolicy[] Policies(CountingWorld world) =>
        [.. world.Policies.Select((entries, i) => Policy($"p{i}", [.. entries.Select(e => Group(e.Group, e.Need))]))];

    private static ApprovalEvaluation Evaluate(CountingWorld world, IEnumerable<(string Name, string[] Groups)> order)
    {
        var reviews = order.Select((r, i) => Approve(r.Name, At(1, i), r.Groups)).ToArray();
        return ApprovalEvaluator.Evaluate(Request([.. world.PolicyNames], reviews: reviews), Policies(world), At(5));
    }

    /// <summary>Brute force for one policy: try every assignment of reviewers to one of its entries or to none.</summary>
    private static bool Satisfiable(IReadOnlyList<(string Group, int Need)> entries, IReadOnlyList<(string Name, string[] Groups)> reviewers)
    {
        var seats = new int[entries.Count];
        return Assign(0);

        bool Assign(int reviewer)
        {
            if (seats.Select((have, i) => have >= entries[i].Need).All(x => x)) return true;
            if (reviewer == reviewers.Count) return false;
            for (var e = 0; e < entries.Count; e++)
            {
                if (!reviewers[reviewer].Groups.Contains(entries[e].Group) || seats[e] >= entries[e].Need) continue;
                seats[e]++;
                if (Assign(reviewer + 1)) return true;
                seats[e]--;
            }

            return Assign(reviewer + 1);
        }
    }

    [Property]
    public bool Approved_exactly_when_every_policy_has_an_assignment_that_satisfies_it(CountingWorld world) =>
        (Evaluate(world, world.Reviewers).Phase == RequestPhase.Approved) == world.Policies.All(p => Satisfiable(p, world.Reviewers));

    [Property]
    public bool Review_order_never_changes_the_outcome(CountingWorld world, int seed)
    {
        var shuffled = world.Reviewers.OrderBy(_ => new Random(seed).Next()).ToList();
        var a = Evaluate(world, world.Reviewers);
        var b = Evaluate(world, shuffled);
        return a.Phase == b.Phase && a.Have == b.Have && a.Need == b.Need;
    }

    [Property]
    public bool Nobody_counts_twice_within_a_policy_and_only_where_eligible(CountingWorld world)
    {
        var e = Evaluate(world, world.Reviewers);
        var entries = world.Policies.SelectMany((p, i) => p.Select(entry => (Policy: i, entry.Group))).ToList();
        var perPolicy = e.Requirements.Zip(entries).GroupBy(pair => pair.Second.Policy).All(g =>
        {
            var counted = g.SelectMany(pair => pair.First.ApprovedBy).ToList();
            return counted.Count == counted.Distinct().Count();
        });
        var eligible = e.Requirements.Zip(entries).All(pair =>
            pair.First.Have <= pair.First.Need
            && pair.First.ApprovedBy.All(name => world.Reviewers.Single(r => r.Name == name).Groups.Contains(pair.Second.Group)));
        return perPolicy && eligible;
    }

    [Property]
    public bool Progress_is_complete_exactly_when_approved(CountingWorld world)
    {
        var e = Evaluate(world, world.Reviewers);
        var people = e.Requirements.SelectMany(r => r.ApprovedBy).Distinct().Count();
        return e.Have == people && e.Have <= e.Need && (e.Have == e.Need) == (e.Phase == RequestPhase.Approved);
    }
}
