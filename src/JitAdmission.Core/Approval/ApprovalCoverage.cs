using JitAdmission.Core.Changes;

namespace JitAdmission.Core.Approval;

/// <summary>What an approved request lets through (docs/semantics.md "Coverage").</summary>
public static class ApprovalCoverage
{
    /// <summary>The approval is usable now and its scope covers this admission request.</summary>
    public static bool Covers(
        ApprovalRequest approved, ApprovalEvaluation evaluation, AdmissionAttributes request,
        IReadOnlyCollection<string> matchedEnforcePolicies, string fingerprint, string operatorNamespace) =>
        evaluation.IsUsable && Matches(approved, evaluation, request, matchedEnforcePolicies, fingerprint, operatorNamespace)
        && !ChangeSets.IsUsed(approved, fingerprint);

    /// <summary>
    /// Scope match only, ignoring whether the approval is still usable (to tell "already used" from "a different change").
    /// Every scope requires the same requester and that the request names every matched Enforce policy, so an
    /// approval given under some policies never satisfies a policy added later. The scope applied is the narrower of
    /// the one approved and the one the live policies now ask for. A Grant without <c>action.namespace</c> covers
    /// every namespace (and cluster-scoped objects) only when it lives in the operator's namespace, where approver RBAC
    /// is cluster-wide by nature; anywhere else it covers its own namespace, so approvers bound in one namespace cannot
    /// grant more than it.
    /// </summary>
    public static bool Matches(
        ApprovalRequest approved, ApprovalEvaluation evaluation, AdmissionAttributes request,
        IReadOnlyCollection<string> matchedEnforcePolicies, string fingerprint, string operatorNamespace)
    {
        ArgumentNullException.ThrowIfNull(approved);
        ArgumentNullException.ThrowIfNull(evaluation);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(matchedEnforcePolicies);
        var spec = approved.Spec;
        if (spec.Requester.Username.Length == 0 || spec.Requester.Username != request.UserInfo.Username) return false;
        if (!matchedEnforcePolicies.All(p => spec.Policies.Contains(p, StringComparer.Ordinal))) return false;

        var scope = spec.Scope < evaluation.Effective.Scope || evaluation.Effective.Policies.Count == 0
            ? spec.Scope
            : evaluation.Effective.Scope;
        var action = spec.Action;
        return scope switch
        {
            // A change set covers each of its objects exactly: by the fingerprint the guard checked against the entry.
            ApprovalScope.Exact => spec.ChangeSet is not null
                ? ChangeSets.Entry(approved, fingerprint) is not null
                : spec.Fingerprint.Length > 0 && spec.Fingerprint == fingerprint,
            ApprovalScope.Object => !string.IsNullOrEmpty(action.Name)
                && action.Group == request.Resource.Group
                && action.Resource == request.Resource.Resource
                && (action.Namespace ?? "") == request.Namespace
                && action.Name == request.Name,
            _ => string.IsNullOrEmpty(action.Namespace)
                ? approved.Metadata?.NamespaceProperty is { } home && (home == operatorNamespace || home == request.Namespace)
                : action.Namespace == request.Namespace,
        };
    }
}
