namespace JitAdmission.Core.Approval;

/// <summary>
/// One requirement of one policy: <see cref="MinApprovals"/> distinct people from these users or groups. Entries are
/// satisfied per policy (<see cref="Policy"/>): within a policy nobody counts twice, across policies one person's
/// approval counts wherever it makes them eligible.
/// </summary>
public sealed record ApproverEntry(string Name, IReadOnlyList<string> Users, IReadOnlyList<string> Groups, int MinApprovals)
{
    /// <summary>The policy that asked for this entry.</summary>
    public string Policy { get; init; } = "";

    /// <summary>The entry's <c>name</c> as the policy declares it (what auto-approval rules name); null when unnamed.</summary>
    public string? DeclaredName { get; init; }

    /// <summary>Eligible by username, or by one of the groups stamped on the review.</summary>
    public bool Admits(string reviewer, IEnumerable<string>? groups) =>
        Users.Contains(reviewer, StringComparer.Ordinal)
        || (groups is not null && groups.Any(g => Groups.Contains(g, StringComparer.Ordinal)));
}
