using JitAdmission.Core.Admission;
using JitAdmission.Core.Api;
using JitAdmission.Core.Approval;

namespace JitAdmission.Core.Guard;

public static partial class RequestGuard
{
    /// <summary>
    /// A request created by anyone but jit-admission is an ahead-of-time request (<c>kubectl jit request</c>): for the
    /// creator only, Object or Grant scope equal to every named (existing) policy's scope, nothing pre-filled that only
    /// jit-admission or approvers may set, break-glass only for break-glass subjects of every policy.
    /// </summary>
    public static IReadOnlyList<string> ValidateCreate(
        ApprovalRequest created, UserInfo user, Func<string, ApprovalPolicy?> policy, bool isOperator, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(created);
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(policy);
        // The webhook creates requests for gated changes under the operator's identity, from admission data.
        if (isOperator) return [];

        var errors = new List<string>();
        var spec = created.Spec;
        if (spec.Requester.Username != user.Username)
            errors.Add($"spec.requester.username must be your own username \"{user.Username}\": a request made ahead of time "
                + "is always for yourself (kubectl jit request fills it in)");
        if (!string.IsNullOrEmpty(spec.Requester.Uid) && spec.Requester.Uid != user.Uid)
            errors.Add("spec.requester.uid must be empty or your own uid");
        if (!IsSubset(spec.Requester.Groups, user.Groups))
            errors.Add("spec.requester.groups may list only your own groups: "
                + $"remove {string.Join(", ", spec.Requester.Groups.Where(g => !user.Groups.Contains(g, StringComparer.Ordinal)).Select(g => $"\"{g}\""))}");
        if (spec.Fingerprint.Length > 0)
            errors.Add("spec.fingerprint must be empty: only jit-admission sets it, for the exact change it intercepted");
        if (spec.Reviews.Count > 0)
            errors.Add("spec.reviews must be empty when the request is created; approvers add reviews afterwards with kubectl jit approve");
        if (created.Status is { } status && (status.Phase is not null || status.Uses != 0 || status.ApprovedAt is not null
                || status.ValidUntil is not null || status.ExpiresAt is not null || status.Decisions.Count > 0))
            errors.Add("status must be empty: it is written only by jit-admission");

        if (spec.Scope == ApprovalScope.Exact)
            errors.Add("scope Exact needs the fingerprint of a real change, which only the webhook has: run the change itself "
                + "to get an Exact request, or ask ahead of time with scope Object or Grant");
        if (spec.Scope == ApprovalScope.Object && (string.IsNullOrEmpty(spec.Action.Resource) || string.IsNullOrEmpty(spec.Action.Name)))
            errors.Add("scope Object needs spec.action.resource and spec.action.name: the object you want to change");
        if (!string.IsNullOrEmpty(spec.Action.Namespace) && !string.IsNullOrEmpty(created.Metadata?.NamespaceProperty)
            && spec.Action.Namespace != created.Metadata.NamespaceProperty)
            errors.Add($"spec.action.namespace \"{spec.Action.Namespace}\" must be the namespace the request is created in "
                + $"(\"{created.Metadata.NamespaceProperty}\"): create it with -n {spec.Action.Namespace}");

        if (spec.Policies.Count == 0)
        {
            errors.Add("spec.policies must name at least one ApprovalPolicy (kubectl get apol lists them)");
            return errors;
        }

        var missing = new List<string>();
        var policies = Resolve(spec.Policies, policy, missing);
        errors.AddRange(missing.Select(m => $"ApprovalPolicy \"{m}\" does not exist (kubectl get apol lists them)"));
        foreach (var p in policies.Where(p => p.Spec.Approval.Scope != spec.Scope))
            errors.Add($"scope must be {p.Spec.Approval.Scope}, the scope of policy \"{p.Metadata.Name}\", not {spec.Scope}");

        if (spec.BreakGlass)
        {
            if (string.IsNullOrWhiteSpace(spec.Reason))
                errors.Add("break-glass needs a reason in spec.reason: it is recorded and reviewed afterwards");
            var notAllowed = policies.Where(p => !EffectiveApproval.From([p]).AllowsBreakGlass(user)).Select(p => $"\"{p.Metadata.Name}\"").ToList();
            if (notAllowed.Count > 0)
                errors.Add($"break-glass is not allowed for \"{user.Username}\": policy {string.Join(", ", notAllowed)} does not "
                    + "list you or your groups under breakGlass; request a normal approval instead");
        }

        return errors;
    }
}
