using JitAdmission.Core.Time;

namespace JitAdmission.Core.Approval;

/// <summary>
/// How an extension (<c>spec.extends</c>) is evaluated (docs/approvals.md "Extending a Grant"). The guard admitted it
/// only as a continuation of an approved request by the same requester, with the same policies, scope and action, within
/// the policies' <c>extensions.max</c>; its spec is immutable, so those facts hold for its whole life.
/// </summary>
public static class ApprovalExtension
{
    /// <summary>
    /// Approved without reviews: an extension (not break-glass) whose policies all exist, all still allow extensions and all
    /// say <c>approval: Automatic</c>. A counted Deny still denies it.
    /// </summary>
    public static bool IsAutomatic(ApprovalRequestSpec spec, EffectiveApproval effective, int missingPolicies)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(effective);
        return !string.IsNullOrEmpty(spec.Extends) && !spec.BreakGlass && missingPolicies == 0 && effective.CanBeSatisfied
            && effective.MaxExtensions > 0 && effective.ExtensionApproval == ExtensionApproval.Automatic
            && effective.Scope != ApprovalScope.Exact;
    }

    /// <summary>The window of an approval: the policies' validFor, or the request's own <c>spec.validFor</c> when shorter.</summary>
    public static TimeSpan ValidFor(ApprovalRequestSpec spec, EffectiveApproval effective)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(effective);
        return RequestedValidFor(spec) is { } asked && asked < effective.ValidFor ? asked : effective.ValidFor;
    }

    /// <summary><c>spec.validFor</c> when it is a positive duration; null when absent or not one (then it has no effect).</summary>
    public static TimeSpan? RequestedValidFor(ApprovalRequestSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return spec.ValidFor is { Length: > 0 } text && GoDuration.TryParse(text, out var value, out _) && value > TimeSpan.Zero ? value : null;
    }
}
