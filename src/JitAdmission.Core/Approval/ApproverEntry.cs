namespace JitAdmission.Core.Approval;

/// <summary>One requirement of the combined approval: <see cref="MinApprovals"/> distinct people from these users or groups.</summary>
public sealed record ApproverEntry(string Name, IReadOnlyList<string> Users, IReadOnlyList<string> Groups, int MinApprovals)
{
    /// <summary>The policies that asked for this entry (identical entries of several policies are merged).</summary>
    public IReadOnlyList<string> Policies { get; init; } = [];

    /// <summary>Eligible by username, or by one of the groups stamped on the review.</summary>
    public bool Admits(string reviewer, IEnumerable<string>? groups) =>
        Users.Contains(reviewer, StringComparer.Ordinal)
        || (groups is not null && groups.Any(g => Groups.Contains(g, StringComparer.Ordinal)));
}
