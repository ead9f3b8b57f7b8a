using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using JitAdmission.Core.Api;
using JitAdmission.Core.Approval;
using static JitAdmission.Core.Tests.TestSupport.ApprovalFixtures;

namespace JitAdmission.Core.Tests.Approval;

/// <summary>Entries (group, need) and reviewers (name, groups): a small random approval world.</summary>
public sealed record CountingWorld(IReadOnlyList<(string Group, int Need)> Entries, IReadOnlyList<(string Name, string[] Groups)> Reviewers)
{
    public override string ToString() =>
        $"entries [{string.Join(", ", Entries.Select(e => $"{e.Group}×{e.Need}"))}] reviewers [{string.Join(", ", Reviewers.Select(r => $"{r.Name}:{string.Join("+", r.Groups)}"))}]";
}

public static class CountingWorlds
{
    private static readonly string[] Groups = ["g0", "g1", "g2"];

    public static Arbitrary<CountingWorld> Worlds() =>
        (from entryCount in Gen.Choose(1, 3)
         from needs in Gen.ArrayOf(Gen.Choose(1, 2), entryCount)
         from reviewerCount in Gen.Choose(0, 5)
         from memberships in Gen.ArrayOf(Gen.SubListOf(Groups), reviewerCount)
         select new CountingWorld(
             [.. needs.Select((need, i) => (Groups[i], need))],
             [.. memberships.Select((groups, i) => ($"r{i}", groups.ToArray()))]))
        .ToArbitrary();
}

[Properties(Arbitrary = [typeof(CountingWorlds)], MaxTest = 300)]
public class ApprovalCountingProperties
{
    private static ApprovalEvaluation Evaluate(CountingWorld world, IEnumerable<(string Name, string[] Groups)> order)
    {
        var policy = Policy("p", [.. world.Entries.Select(e => Group(e.Group, e.Need))]);
        var reviews = order.Select((r, i) => Approve(r.Name, At(1, i), r.Groups)).ToArray();
        return ApprovalEvaluator.Evaluate(Request(["p"], reviews: reviews), [policy], At(5));
    }

    /// <summary>Brute force: try every assignment of reviewers to an entry or to none.</summary>
    private static bool Satisfiable(CountingWorld world)
    {
        var seats = new int[world.Entries.Count];
        return Assign(0);

        bool Assign(int reviewer)
        {
            if (seats.Select((have, i) => have >= world.Entries[i].Need).All(x => x)) return true;
            if (reviewer == world.Reviewers.Count) return false;
            for (var e = 0; e < world.Entries.Count; e++)
            {
                if (!world.Reviewers[reviewer].Groups.Contains(world.Entries[e].Group) || seats[e] >= world.Entries[e].Need) continue;
                seats[e]++;
                if (Assign(reviewer + 1)) return true;
                seats[e]--;
            }

            return Assign(reviewer + 1);
        }
    }

    [Property]
    public bool Approved_exactly_when_some_assignment_satisfies_every_entry(CountingWorld world) =>
        (Evaluate(world, world.Reviewers).Phase == RequestPhase.Approved) == Satisfiable(world);

    [Property]
    public bool Review_order_never_changes_the_outcome(CountingWorld world, int seed)
    {
        var shuffled = world.Reviewers.OrderBy(_ => new Random(seed).Next()).ToList();
        var a = Evaluate(world, world.Reviewers);
        var b = Evaluate(world, shuffled);
        return a.Phase == b.Phase && a.Have == b.Have;
    }

    [Property]
    public bool Nobody_counts_twice_and_only_where_eligible(CountingWorld world)
    {
        var e = Evaluate(world, world.Reviewers);
        var counted = e.Requirements.SelectMany(r => r.ApprovedBy).ToList();
        var eligible = e.Requirements.Zip(world.Entries).All(pair =>
            pair.First.Have <= pair.First.Need
            && pair.First.ApprovedBy.All(name => world.Reviewers.Single(r => r.Name == name).Groups.Contains(pair.Second.Group)));
        return counted.Count == counted.Distinct().Count() && eligible;
    }
}
