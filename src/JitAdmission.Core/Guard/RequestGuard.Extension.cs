using JitAdmission.Core.Text;
using JitAdmission.Core.Time;

namespace JitAdmission.Core.Guard;

public static partial class RequestGuard
{
    /// <summary>
    /// An extension (<c>spec.extends</c>) continues an approved Object or Grant request of the same namespace: by the same
    /// requester, for the same policies, scope and action, while that approval is still in its window (or, when the
    /// extension is reviewed anyway, spent but in its window), and within the policies' <c>extensions.max</c> counted
    /// over the whole chain. Every link of the chain must still exist, so a deleted record cannot shorten it.
    /// </summary>
    /// <param name="request">Requests of the created request's namespace, by name (read fresh: an approval just given counts).</param>
    public static IReadOnlyList<string> ValidateExtension(
        ApprovalRequest created, UserInfo user, Func<string, ApprovalRequest?> request, Func<string, ApprovalPolicy?> policy, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(created);
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(policy);
        var spec = created.Spec;
        if (string.IsNullOrEmpty(spec.Extends)) return [];
        var name = spec.Extends;
        if (!NameRules.IsDnsSubdomain(name)) return [$"spec.extends \"{TerminalText.Escape(name)}\" is not the name of an ApprovalRequest"];
        if (spec.BreakGlass)
            return ["break-glass cannot extend a request: it proceeds at once and is reviewed afterwards; ask for a new break-glass request instead"];
        if (request(name) is not { } extended)
            return [$"ApprovalRequest \"{name}\" to extend does not exist in namespace \"{created.Metadata?.NamespaceProperty}\" "
                + "(kubectl jit list --mine lists yours)"];

        var errors = new List<string>();
        var old = extended.Spec;
        if (old.BreakGlass)
            errors.Add($"\"{name}\" is a break-glass record: it cannot be extended; ask for a normal approval with kubectl jit request");
        if (old.Scope == ApprovalScope.Exact)
            errors.Add($"\"{name}\" is an Exact approval, for one change only: it cannot be extended; run the next change for its own approval");
        if (old.Requester.Username != user.Username || (!string.IsNullOrEmpty(old.Requester.Uid) && !string.IsNullOrEmpty(user.Uid) && old.Requester.Uid != user.Uid))
            errors.Add($"\"{name}\" was requested by \"{old.Requester.Username}\": only its requester can extend it");
        if (!SameSet(old.Policies, spec.Policies))
            errors.Add($"spec.policies must be those of \"{name}\" ({string.Join(", ", old.Policies)}): an extension continues the same approval");
        if (old.Scope != spec.Scope)
            errors.Add($"spec.scope must be {old.Scope}, the scope of \"{name}\"");
        if (!SameAction(old.Action, spec.Action))
            errors.Add($"spec.action must be that of \"{name}\" ({ApprovalEvaluator.ActionText(old)}): an extension continues the same approval");
        if (errors.Count > 0) return errors;

        var missing = new List<string>();
        var policies = Resolve(spec.Policies, policy, missing);
        if (missing.Count > 0) return errors; // ValidateCreate names them.
        var effective = EffectiveApproval.From(policies);
        if (effective.MaxExtensions == 0)
            return [$"the policies {string.Join(", ", spec.Policies.Select(p => $"\"{p}\""))} do not allow extensions (approval.extensions.max is 0); "
                + "ask for a new approval with kubectl jit request"];

        var state = ApprovalEvaluator.Evaluate(extended, policies, now);
        var inWindow = state.ValidUntil is { } until && now < until;
        var approved = state.Phase == RequestPhase.Approved && state.IsUsable;
        // Spending its uses is what an extension may be for, but then only a review grants more.
        var spent = state.Phase == RequestPhase.Consumed && state.RequirementsMet && state.DeniedBy is null && inWindow
            && effective.ExtensionApproval == ExtensionApproval.Required;
        if (!approved && !spent)
            errors.Add($"\"{name}\" is {state.Phase} ({state.Message}): only an approval still in its window can be extended; "
                + "ask for a new approval with kubectl jit request");

        var (length, broken) = ChainLength(extended, request);
        if (broken is not null)
            errors.Add($"the chain of extensions cannot be checked: ApprovalRequest \"{broken}\", which \"{name}\" continues, no longer exists; "
                + "ask for a new approval with kubectl jit request");
        else if (length + 1 > effective.MaxExtensions)
            errors.Add($"\"{name}\" has already been extended {length} time(s); the policies allow at most {effective.MaxExtensions}: "
                + "ask for a new approval with kubectl jit request");

        if (ApprovalExtension.RequestedValidFor(spec) is { } asked && asked > effective.ValidFor)
            errors.Add($"spec.validFor {spec.ValidFor} is longer than the policies' validFor {GoDuration.Format(effective.ValidFor)}");
        return errors;
    }

    /// <summary>How many extensions lead up to <paramref name="request"/> (0 for an original request); the name of the first missing link, if any.</summary>
    public static (int Length, string? Missing) ChainLength(ApprovalRequest request, Func<string, ApprovalRequest?> lookup)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(lookup);
        var seen = new HashSet<string>(StringComparer.Ordinal) { request.Metadata?.Name ?? "" };
        var length = 0;
        for (var current = request; current.Spec.Extends is { Length: > 0 } next; length++)
        {
            // A cycle cannot be built (a request can only extend an existing one), but a bound keeps the walk finite anyway.
            if (!seen.Add(next) || length > ExtensionSettings.MaxAllowed) return (length + 1, null);
            if (lookup(next) is not { } found) return (length + 1, next);
            current = found;
        }

        return (length, null);
    }

    private static bool SameSet(IEnumerable<string> a, IEnumerable<string> b) =>
        new HashSet<string>(a, StringComparer.Ordinal).SetEquals(b);

    private static bool SameAction(RequestedAction a, RequestedAction b) =>
        a.Operation == b.Operation && a.Group == b.Group && a.Version == b.Version && a.Resource == b.Resource
        && Same(a.SubResource, b.SubResource) && Same(a.Kind, b.Kind) && Same(a.Namespace, b.Namespace) && Same(a.Name, b.Name);

    private static bool Same(string? a, string? b) => string.IsNullOrEmpty(a) ? string.IsNullOrEmpty(b) : a == b;
}
