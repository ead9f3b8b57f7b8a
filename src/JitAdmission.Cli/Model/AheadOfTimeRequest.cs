using JitAdmission.Core.Matching;
using JitAdmission.Core.Naming;

namespace JitAdmission.Cli.Model;

/// <summary>
/// Builds the ApprovalRequest of an ahead-of-time request (docs/semantics.md "Ahead-of-time requests"): for the caller
/// (requester = their SelfSubjectReview username, uid and groups), operation "*", scope Object or Grant, no fingerprint,
/// no reviews yet, no status.
/// </summary>
internal static class AheadOfTimeRequest
{
    private const int MaxGeneratedPrefix = 52;

    public static ApprovalRequest Build(AheadOfTimeAsk ask, CallerIdentity me)
    {
        ArgumentNullException.ThrowIfNull(ask);
        ArgumentNullException.ThrowIfNull(me);
        var action = new RequestedAction { Operation = Operations.All, Namespace = TargetNamespace(ask) };
        if (ask.Resource is { } r)
        {
            action.Group = r.Group;
            action.Version = r.Version;
            action.Resource = r.Resource;
            action.Kind = r.Kind;
        }

        if (ask.ObjectName is { Length: > 0 } objectName) action.Name = objectName;
        return new ApprovalRequest
        {
            Metadata = new V1ObjectMeta
            {
                NamespaceProperty = ask.Namespace,
                Name = ask.RequestName is { Length: > 0 } n ? n : null,
                GenerateName = ask.RequestName is { Length: > 0 } ? null : GenerateName(me.Username, ask.Policies[0]),
            },
            Spec = new ApprovalRequestSpec
            {
                Policies = [.. ask.Policies],
                Requester = me.ToRequester(),
                Action = action,
                Scope = ask.Scope,
                Reason = ask.Reason,
                BreakGlass = ask.BreakGlass,
                // Present (and empty) so approvers can append with "add /spec/reviews/-".
                Reviews = [],
            },
        };
    }

    /// <summary>
    /// The namespace the approval is limited to: the request's own for namespaced objects and namespace-limited grants;
    /// none for cluster-scoped objects and for grants asked with --any-namespace.
    /// </summary>
    public static string? TargetNamespace(AheadOfTimeAsk ask)
    {
        ArgumentNullException.ThrowIfNull(ask);
        if (ask.Resource is { Namespaced: false }) return null;
        if (ask.Scope == ApprovalScope.Grant && !ask.LimitToNamespace) return null;
        return ask.Namespace;
    }

    /// <summary>"alice-prod-exec-": readable, DNS-1123, completed by the API server with a random suffix.</summary>
    public static string GenerateName(string username, string policy)
    {
        var user = username.StartsWith("system:serviceaccount:", StringComparison.Ordinal) ? username[(username.LastIndexOf(':') + 1)..] : username;
        var prefix = RequestNaming.Sanitize($"{user}-{policy}");
        if (prefix.Length > MaxGeneratedPrefix) prefix = prefix[..MaxGeneratedPrefix].TrimEnd('-');
        return (prefix.Length == 0 ? "jit" : prefix) + "-";
    }
}
