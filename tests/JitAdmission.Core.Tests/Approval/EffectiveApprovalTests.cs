using JitAdmission.Core.Api;
using JitAdmission.Core.Approval;
using static JitAdmission.Core.Tests.TestSupport.ApprovalFixtures;

namespace JitAdmission.Core.Tests.Approval;

public class EffectiveApprovalTests
{
    private static ApprovalPolicy With(string name, string? ttl = null, string? validFor = null, string? wait = null,
        ApprovalScope? scope = null, int? maxUses = null, bool? self = null) =>
        Policy(name, spec =>
        {
            var a = spec.Approval;
            if (ttl is not null) a.RequestTtl = ttl;
            if (validFor is not null) a.ValidFor = validFor;
            if (wait is not null) a.Wait = wait;
            if (scope is not null) a.Scope = scope.Value;
            a.MaxUses = maxUses;
            if (self is not null) a.AllowSelfApproval = self.Value;
        }, Group("sre"));

    public static TheoryData<string, ApprovalPolicy[], TimeSpan, TimeSpan, TimeSpan> Times => new()
    {
        { "defaults", [With("a")], TimeSpan.FromHours(1), TimeSpan.FromMinutes(15), TimeSpan.FromSeconds(10) },
        { "minimum of each", [With("a", "2h", "5m", "20s"), With("b", "30m", "1h", "5s")], TimeSpan.FromMinutes(30), TimeSpan.FromMinutes(5), TimeSpan.FromSeconds(5) },
        { "wait is capped at 25s", [With("a", wait: "1m")], TimeSpan.FromHours(1), TimeSpan.FromMinutes(15), TimeSpan.FromSeconds(25) },
        { "unparsable falls back to the default", [With("a", "soon", "later", "x")], TimeSpan.FromHours(1), TimeSpan.FromMinutes(15), TimeSpan.FromSeconds(10) },
        { "unparsable does not win the minimum", [With("a", "20m"), With("b", "garbage")], TimeSpan.FromMinutes(20), TimeSpan.FromMinutes(15), TimeSpan.FromSeconds(10) },
        { "negative is zero", [With("a", validFor: "-5m")], TimeSpan.FromHours(1), TimeSpan.Zero, TimeSpan.FromSeconds(10) },
    };

    [Theory]
    [MemberData(nameof(Times))]
    public void Times_take_the_minimum(string what, ApprovalPolicy[] policies, TimeSpan ttl, TimeSpan validFor, TimeSpan wait)
    {
        var e = EffectiveApproval.From(policies);
        Assert.True((ttl, validFor, wait) == (e.RequestTtl, e.ValidFor, e.Wait), $"{what}: {e.RequestTtl} {e.ValidFor} {e.Wait}");
    }

    public static TheoryData<string, ApprovalPolicy[], int, ApprovalScope> UsesAndScope => new()
    {
        { "Exact defaults to single use", [With("a", scope: ApprovalScope.Exact)], 1, ApprovalScope.Exact },
        { "Object defaults to unlimited", [With("a", scope: ApprovalScope.Object)], 0, ApprovalScope.Object },
        { "Grant defaults to unlimited", [With("a", scope: ApprovalScope.Grant)], 0, ApprovalScope.Grant },
        { "explicit 3", [With("a", scope: ApprovalScope.Object, maxUses: 3)], 3, ApprovalScope.Object },
        { "minimum non-zero: unlimited and 1", [With("a", scope: ApprovalScope.Object), With("b", scope: ApprovalScope.Exact)], 1, ApprovalScope.Exact },
        { "minimum non-zero: 3 and 5", [With("a", scope: ApprovalScope.Grant, maxUses: 5), With("b", scope: ApprovalScope.Grant, maxUses: 3)], 3, ApprovalScope.Grant },
        { "all unlimited", [With("a", scope: ApprovalScope.Object), With("b", scope: ApprovalScope.Grant)], 0, ApprovalScope.Object },
        { "explicit 0 on Exact is unlimited", [With("a", scope: ApprovalScope.Exact, maxUses: 0)], 0, ApprovalScope.Exact },
        { "negative is unlimited", [With("a", scope: ApprovalScope.Grant, maxUses: -2)], 0, ApprovalScope.Grant },
        { "Object and Grant give Object", [With("a", scope: ApprovalScope.Grant), With("b", scope: ApprovalScope.Object)], 0, ApprovalScope.Object },
        { "no policy at all is Exact", [], 0, ApprovalScope.Exact },
    };

    [Theory]
    [MemberData(nameof(UsesAndScope))]
    public void MaxUses_is_the_smallest_non_zero_and_scope_the_most_restrictive(string what, ApprovalPolicy[] policies, int maxUses, ApprovalScope scope)
    {
        var e = EffectiveApproval.From(policies);
        Assert.True((maxUses, scope) == (e.MaxUses, e.Scope), $"{what}: {e.MaxUses} {e.Scope}");
    }

    [Theory]
    [InlineData(true, true, true)]
    [InlineData(true, false, false)]
    [InlineData(false, false, false)]
    public void Self_approval_only_if_every_policy_allows_it(bool a, bool b, bool expected) =>
        Assert.Equal(expected, EffectiveApproval.From([With("a", self: a), With("b", self: b)]).AllowSelfApproval);

    public static TheoryData<string, ApprovalPolicy[], string[]> Entries => new()
    {
        { "one policy: entries keep their names", [Policy("a", Group("sre"), Group("security"))], ["sre 1", "security 1"] },
        { "several policies: names say which policy", [Policy("a", Group("sre")), Policy("b", Group("security"))], ["a/sre 1", "b/security 1"] },
        { "the same people asked by two policies stay two requirements (each policy is satisfied on its own)",
          [Policy("a", Group("sre")), Policy("b", Group("sre", 2))], ["a/sre 1", "b/sre 2"] },
        { "repeated entries inside one policy stay separate", [Policy("a", Group("sre"), Group("sre"))], ["sre 1", "sre#2 1"] },
        { "repeated entries with several policies", [Policy("a", Group("sre"), Group("sre")), Policy("b", Group("sre"))], ["a/sre 1", "a/sre#2 1", "b/sre 1"] },
        { "same name, different people, in two policies",
          [Policy("a", Entry("leads", users: ["bob"])), Policy("b", Entry("leads", users: ["carol"]))], ["a/leads 1", "b/leads 1"] },
        { "unnamed entries are named after their groups or users", [Policy("a", Entry(groups: ["ops", "sre"]), Entry(users: ["bob"]))], ["ops,sre 1", "bob 1"] },
        { "minApprovals below one counts as one", [Policy("a", Group("sre", 0))], ["sre 1"] },
    };

    [Theory]
    [MemberData(nameof(Entries))]
    public void Approver_entries_of_every_policy_with_readable_names(string what, ApprovalPolicy[] policies, string[] expected)
    {
        var actual = EffectiveApproval.From(policies).Entries.Select(e => $"{e.Name} {e.MinApprovals}").ToArray();
        Assert.True(expected.SequenceEqual(actual), $"{what}: {string.Join(", ", actual)}");
    }

    [Fact]
    public void Every_entry_knows_its_policy() =>
        Assert.Equal(["a", "a", "b"], EffectiveApproval.From([Policy("a", Group("sre"), Group("dba")), Policy("b", Group("sre"))]).Entries.Select(e => e.Policy));

    public static TheoryData<string, ApprovalPolicy[], string?> Problems => new()
    {
        { "satisfiable", [TwoGroups()], null },
        { "no policy", [], "no approval policy applies" },
        { "policy without approvers", [Policy("empty")], "policy \"empty\" lists no approvers" },
        { "entry without people", [Policy("p", Entry("nobody"))], "approver entry \"nobody\" lists no users or groups" },
        { "more approvals than listed users", [Policy("p", Entry("leads", users: ["bob"], min: 2))], "needs 2 approvals but lists only 1 user(s)" },
    };

    [Theory]
    [MemberData(nameof(Problems))]
    public void Unsatisfiable_requirements_are_reported(string what, ApprovalPolicy[] policies, string? problem)
    {
        var e = EffectiveApproval.From(policies);
        if (problem is null) Assert.True(e.CanBeSatisfied, what);
        else Assert.True(e.Problems.Any(p => p.Contains(problem, StringComparison.Ordinal)), $"{what}: {string.Join("; ", e.Problems)}");
    }

    private static ApprovalPolicy BreakGlass(string name, string[] users, string[] groups) =>
        Policy(name, spec => spec.BreakGlass = new BreakGlassSettings { Users = [.. users], Groups = [.. groups] }, Group("sre"));

    public static TheoryData<string, ApprovalPolicy[], bool> BreakGlassCases => new()
    {
        { "listed by user", [BreakGlass("a", ["alice"], [])], true },
        { "listed by group", [BreakGlass("a", [], ["oncall"])], true },
        { "listed by every policy", [BreakGlass("a", ["alice"], []), BreakGlass("b", [], ["oncall"])], true },
        { "one policy does not list her", [BreakGlass("a", ["alice"], []), BreakGlass("b", ["bob"], [])], false },
        { "one policy has no break-glass", [BreakGlass("a", ["alice"], []), Policy("b", Group("sre"))], false },
        { "no policies", [], false },
    };

    [Theory]
    [MemberData(nameof(BreakGlassCases))]
    public void Break_glass_only_for_subjects_of_every_policy(string what, ApprovalPolicy[] policies, bool allowed) =>
        Assert.True(allowed == EffectiveApproval.From(policies).AllowsBreakGlass(User("alice", "oncall", "dev")), what);
}
