using JitAdmission.Core.Time;

namespace JitAdmission.Core.Approval;

/// <summary>
/// What one ApprovalRequest needs when several policies name it (docs/semantics.md "Several policies match"):
/// every policy's approver entries, each policy satisfied on its own (AND), self-approval only if all allow it, the
/// shortest times, the smallest non-zero maxUses and the most restrictive scope. Always computed from the live policies.
/// </summary>
public sealed class EffectiveApproval
{
    public static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(25);

    public const string NoPolicyProblem = "no approval policy applies";

    private static readonly ApprovalSettings Defaults = new();

    private readonly IReadOnlyList<BreakGlassSettings?> _breakGlass;

    private EffectiveApproval(
        IReadOnlyList<string> policies, IReadOnlyList<ApproverEntry> entries, bool allowSelfApproval, TimeSpan requestTtl,
        TimeSpan validFor, TimeSpan wait, int maxUses, ApprovalScope scope, IReadOnlyList<string> problems,
        IReadOnlyList<BreakGlassSettings?> breakGlass, int maxExtensions, ExtensionApproval extensionApproval)
    {
        MaxExtensions = maxExtensions;
        ExtensionApproval = extensionApproval;
        Policies = policies;
        Entries = entries;
        AllowSelfApproval = allowSelfApproval;
        RequestTtl = requestTtl;
        ValidFor = validFor;
        Wait = wait;
        MaxUses = maxUses;
        Scope = scope;
        Problems = problems;
        _breakGlass = breakGlass;
    }

    /// <summary>Names of the policies combined, in the order given.</summary>
    public IReadOnlyList<string> Policies { get; }
    /// <summary>Every policy's entries, in policy order; <see cref="ApproverEntry.Policy"/> says whose. Names are unique
    /// and say which policy when more than one policy is combined ("incident/sre").</summary>
    public IReadOnlyList<ApproverEntry> Entries { get; }
    public bool AllowSelfApproval { get; }
    public TimeSpan RequestTtl { get; }
    public TimeSpan ValidFor { get; }
    /// <summary>How long the webhook holds a call; at most <see cref="MaxWait"/>.</summary>
    public TimeSpan Wait { get; }
    /// <summary>0 = unlimited within <see cref="ValidFor"/>.</summary>
    public int MaxUses { get; }
    public ApprovalScope Scope { get; }
    /// <summary>How many extensions a chain may have: the smallest of the policies' <c>extensions.max</c>; 0 = none.</summary>
    public int MaxExtensions { get; }
    /// <summary>Automatic only when every policy says so.</summary>
    public ExtensionApproval ExtensionApproval { get; }
    /// <summary>Why no set of reviews can ever satisfy the requirements (no policy, no approvers, too few listed users).</summary>
    public IReadOnlyList<string> Problems { get; }

    public bool CanBeSatisfied => Problems.Count == 0;

    /// <summary>The seats to fill: the sum of the entries' minApprovals (one person may fill a seat in several policies).</summary>
    public int Need => Entries.Sum(e => e.MinApprovals);

    public bool IsEligible(string reviewer, IEnumerable<string>? groups) => Entries.Any(e => e.Admits(reviewer, groups));

    /// <summary>Break-glass needs every policy to name the user (or one of their groups) as a break-glass subject.</summary>
    public bool AllowsBreakGlass(UserInfo user) =>
        _breakGlass.Count > 0 && _breakGlass.All(b =>
            b is not null
            && (b.Users.Contains(user.Username, StringComparer.Ordinal)
                || user.Groups.Any(g => b.Groups.Contains(g, StringComparer.Ordinal))));

    /// <summary>The default maxUses of a scope: Exact approvals are single use, the others unlimited within the window.</summary>
    public static int DefaultMaxUses(ApprovalScope scope) => scope == ApprovalScope.Exact ? 1 : 0;

    public static EffectiveApproval From(IReadOnlyList<ApprovalPolicy> policies)
    {
        ArgumentNullException.ThrowIfNull(policies);
        var problems = new List<string>();
        if (policies.Count == 0) problems.Add(NoPolicyProblem);

        var entries = new List<ApproverEntry>();
        var allowSelf = policies.Count > 0;
        var ttl = Duration(Defaults.RequestTtl, TimeSpan.FromHours(1));
        var validFor = Duration(Defaults.ValidFor, TimeSpan.FromMinutes(15));
        var wait = Duration(Defaults.Wait, TimeSpan.FromSeconds(10));
        int? maxUses = null;
        var scope = ApprovalScope.Grant;
        var first = true;
        var maxExtensions = int.MaxValue;
        var extensionApproval = ExtensionApproval.Automatic;
        foreach (var policy in policies)
        {
            var name = policy.Metadata?.Name ?? "";
            var approval = policy.Spec.Approval;
            if (approval.Approvers.Count == 0) problems.Add($"policy \"{name}\" lists no approvers");
            foreach (var rule in approval.Approvers) AddEntry(entries, rule, name, problems);

            allowSelf &= approval.AllowSelfApproval;
            ttl = first ? Duration(approval.RequestTtl, ttl) : Min(ttl, Duration(approval.RequestTtl, ttl));
            validFor = first ? Duration(approval.ValidFor, validFor) : Min(validFor, Duration(approval.ValidFor, validFor));
            wait = first ? Duration(approval.Wait, wait) : Min(wait, Duration(approval.Wait, wait));
            var uses = Math.Max(0, approval.MaxUses ?? DefaultMaxUses(approval.Scope));
            if (uses > 0) maxUses = maxUses is { } m ? Math.Min(m, uses) : uses;
            if (approval.Scope < scope) scope = approval.Scope;
            maxExtensions = Math.Min(maxExtensions, Math.Clamp(approval.Extensions?.Max ?? 0, 0, ExtensionSettings.MaxAllowed));
            if (approval.Extensions?.Approval != ExtensionApproval.Automatic) extensionApproval = ExtensionApproval.Required;
            first = false;
        }

        if (policies.Count == 0)
        {
            scope = ApprovalScope.Exact;
            maxExtensions = 0;
            extensionApproval = ExtensionApproval.Required;
        }

        // Exact approvals are for one change: nothing to extend.
        if (scope == ApprovalScope.Exact) maxExtensions = 0;
        return new EffectiveApproval(
            [.. policies.Select(p => p.Metadata?.Name ?? "")],
            NameEntries(entries, qualify: policies.Count > 1),
            allowSelf,
            Clamp(ttl, TimeSpan.MaxValue),
            Clamp(validFor, TimeSpan.MaxValue),
            Clamp(wait, MaxWait),
            maxUses ?? 0,
            scope,
            problems,
            [.. policies.Select(p => p.Spec.BreakGlass)],
            maxExtensions,
            extensionApproval);
    }

    private static void AddEntry(List<ApproverEntry> entries, ApproverRule rule, string policy, List<string> problems)
    {
        var users = rule.Users.Where(u => u.Length > 0).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var groups = rule.Groups.Where(g => g.Length > 0).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        // An entry can never ask for fewer than one approval: 0 would silently waive it.
        var min = Math.Max(1, rule.MinApprovals);
        var label = rule.Name is { Length: > 0 } n ? n : DefaultName(users, groups);
        if (users.Count == 0 && groups.Count == 0)
            problems.Add($"policy \"{policy}\": approver entry \"{label}\" lists no users or groups");
        else if (groups.Count == 0 && users.Count < min)
            problems.Add($"policy \"{policy}\": approver entry \"{label}\" needs {min} approvals but lists only {users.Count} user(s)");

        // No merging across policies: each policy is matched on its own, so the same people asked for by two
        // policies are counted for both anyway ("1 SRE" and "2 SREs" need 2 SREs, not 3).
        entries.Add(new ApproverEntry(label, users, groups, min) { Policy = policy, DeclaredName = rule.Name is { Length: > 0 } ? rule.Name : null });
    }

    private static List<ApproverEntry> NameEntries(List<ApproverEntry> entries, bool qualify)
    {
        // Names are what people read in progress ("sre 1/1"): with several policies they say whose requirement it
        // is ("incident/sre"); repeats inside one policy get a number ("sre#2").
        var result = new List<ApproverEntry>(entries.Count);
        var taken = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            var name = qualify ? $"{entry.Policy}/{entry.Name}" : entry.Name;
            var unique = name;
            for (var n = 2; !taken.Add(unique); n++) unique = $"{name}#{n}";
            result.Add(entry with { Name = unique });
        }

        return result;
    }

    private static string DefaultName(List<string> users, List<string> groups) =>
        groups.Count > 0 ? string.Join(",", groups)
        : users.Count > 0 ? string.Join(",", users)
        : "approvers";

    // An unparsable duration (rejected at apply time, so only in old data) falls back to the API default.
    private static TimeSpan Duration(string? text, TimeSpan fallback) =>
        GoDuration.TryParse(text, out var value, out _) ? value : fallback;

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private static TimeSpan Clamp(TimeSpan value, TimeSpan max) =>
        value < TimeSpan.Zero ? TimeSpan.Zero : value > max ? max : value;
}
