namespace JitAdmission.Core.Approval;

/// <summary>
/// Who may approve and how far approval has come, in the words every message uses: the webhook's denials, the guard's
/// refusals, the request status and <c>kubectl jit</c>.
/// </summary>
public static class ApproverText
{
    /// <summary>"group sre, user bob": whom an approver entry admits.</summary>
    public static string Who(ApproverEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return string.Join(", ", entry.Groups.Select(g => $"group {g}").Concat(entry.Users.Select(u => $"user {u}")));
    }

    /// <summary>"sre: 1 of group sre; security: 1 of user carol", or that the policies name nobody.</summary>
    public static string List(EffectiveApproval effective)
    {
        ArgumentNullException.ThrowIfNull(effective);
        return effective.Entries.Count == 0
            ? "approvers, but its policies list none"
            : string.Join("; ", effective.Entries.Select(e => $"{e.Name}: {e.MinApprovals} of {Who(e)}"));
    }

    /// <summary>"sre 1/1, security 0/1"; with <paramref name="approvedBy"/>, "sre 1/1 by bob, security 0/1".</summary>
    public static string Progress(IReadOnlyList<RequirementStatus> requirements, bool approvedBy = false)
    {
        ArgumentNullException.ThrowIfNull(requirements);
        return requirements.Count == 0
            ? "approvers (none configured)"
            : string.Join(", ", requirements.Select(r => r.ApprovedByRule is { } rule
                ? $"{r.Name} {r.Have}/{r.Need} by rule {rule}"
                : $"{r.Name} {r.Have}/{r.Need}" + (approvedBy && r.ApprovedBy.Count > 0 ? $" by {string.Join(", ", r.ApprovedBy)}" : "")));
    }

    /// <summary>
    /// Whom a request still waits on, entry by entry: "1 of sre (group sre, user carol)"; entries already satisfied are
    /// left out. Requirements and entries are matched by name (the evaluation makes one requirement per entry).
    /// </summary>
    public static string Outstanding(IReadOnlyList<RequirementStatus> requirements, EffectiveApproval effective)
    {
        ArgumentNullException.ThrowIfNull(requirements);
        ArgumentNullException.ThrowIfNull(effective);
        var open = requirements.Where(r => !r.Satisfied).Select(r =>
        {
            var entry = effective.Entries.FirstOrDefault(e => e.Name == r.Name);
            var missing = Math.Max(1, r.Need - r.Have);
            return entry is null ? $"{missing} of {r.Name}" : $"{missing} of {r.Name} ({Who(entry)})";
        }).ToList();
        return open.Count == 0 ? "nobody" : string.Join(" and ", open);
    }
}
