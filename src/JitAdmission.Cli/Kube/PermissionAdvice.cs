namespace JitAdmission.Cli.Kube;

/// <summary>
/// What a refused call (RBAC's 403) lacked and which of the chart's roles grants it (deploy/rbac/clusterroles.yaml):
/// <c>jit-admission-requester</c> (create and read requests, read policies; aggregated to <c>edit</c>),
/// <c>jit-admission-approver</c> (read and patch requests, read policies), <c>jit-admission-viewer</c> (read both;
/// aggregated to <c>view</c>) and <c>jit-admission-policy-admin</c> (manage policies). The one place that maps a
/// permission to a role; every command explains a 403 with it.
/// </summary>
internal static class PermissionAdvice
{
    /// <summary>A role of the chart that grants a permission, and who it is for.</summary>
    internal sealed record Grant(string Role, string Who, bool ClusterWide);

    /// <summary>The chart's role that grants <paramref name="verb"/> on the resource; null when jit-admission grants no such permission.</summary>
    public static Grant? RoleFor(string group, string resource, string verb)
    {
        ArgumentNullException.ThrowIfNull(verb);
        if (group != ApiConstants.Group) return null;
        return (resource, verb) switch
        {
            (ApiConstants.RequestPlural, "create") => new Grant(RequesterRole, "a requester", false),
            (ApiConstants.RequestPlural, "patch" or "update") => new Grant(ApproverRole, "an approver", false),
            (ApiConstants.RequestPlural, "get" or "list" or "watch") => new Grant(ViewerRole, "a reader of approval requests", false),
            (ApiConstants.PolicyPlural, "get" or "list" or "watch") => new Grant(ViewerRole, "a reader of approval policies", true),
            (ApiConstants.PolicyPlural, "create" or "update" or "patch" or "delete" or "deletecollection") => new Grant(PolicyAdminRole, "a policy admin", true),
            _ => null,
        };
    }

    /// <summary>
    /// "you may not patch approvalrequests.jitadmission.io in namespace prod: an approver needs the ClusterRole
    /// jit-admission-approver bound in that namespace (kubectl create rolebinding …)".
    /// </summary>
    public static string Explain(ApiCall call, string? user)
    {
        ArgumentNullException.ThrowIfNull(call);
        var who = user is { Length: > 0 } u ? u : "<your user name>";
        var what = $"you{(user is { Length: > 0 } ? $" ({user})" : "")} may not {call.Verb} {call.QualifiedResource}"
            + (call.Name is { Length: > 0 } n && call.Verb is not ("list" or "watch") ? $" \"{n}\"" : "")
            + (call.Namespace is { Length: > 0 } ns ? $" in namespace {ns}" : " cluster-wide");

        if (call is { Group: "authentication.k8s.io", Resource: "selfsubjectreviews" })
            return what + ": every authenticated user may ask who they are by default (ClusterRole system:basic-user); ask the cluster admin";
        if (call is { Group: ApiConstants.Group, Resource: ApiConstants.RequestPlural, Verb: "delete" or "deletecollection" })
            return what + ": approval requests are records that only jit-admission deletes (after their retention)";
        if (call.Group == ApiConstants.Group && call.Resource == ApiConstants.PolicyPlural)
        {
            if (RoleFor(call.Group, call.Resource, call.Verb) is not { } policies)
                return what + ": ApprovalPolicies are managed by the cluster admins";
            var readers = policies.Role == ViewerRole ? $" ({RequesterRole} and {ApproverRole} include reading them too)" : "";
            return $"{what}: {policies.Who} needs the ClusterRole {policies.Role} bound cluster-wide{readers} "
                + $"(kubectl create clusterrolebinding {policies.Role}-{Slug(who)} --clusterrole={policies.Role} --user={who})";
        }

        if (RoleFor(call.Group, call.Resource, call.Verb) is not { } grant)
            return what + (call.Namespace is { Length: > 0 } where
                ? $": that permission comes from your cluster's own roles (e.g. edit in namespace {where}), not from jit-admission; ask whoever manages access there"
                : ": that permission comes from your cluster's own roles, not from jit-admission; ask the cluster admin");

        var also = grant.Role == ViewerRole ? $" ({RequesterRole} and {ApproverRole} include reading too; {ViewerRole} is part of view)"
            : grant.Role == RequesterRole ? $" ({RequesterRole} is part of edit)"
            : "";
        var ns2 = call.Namespace ?? "NAMESPACE";
        return $"{what}: {grant.Who} needs the ClusterRole {grant.Role} bound in that namespace{also} "
            + $"(kubectl create rolebinding {grant.Role}-{Slug(who)} --clusterrole={grant.Role} --user={who} -n {ns2})";
    }

    /// <summary>Create ApprovalRequests (ahead of time) and read them; aggregated to <c>edit</c>.</summary>
    public const string RequesterRole = "jit-admission-requester";

    /// <summary>Get, list, watch and patch (review) ApprovalRequests.</summary>
    public const string ApproverRole = "jit-admission-approver";

    /// <summary>Read ApprovalRequests and ApprovalPolicies; aggregated to <c>view</c>.</summary>
    public const string ViewerRole = "jit-admission-viewer";

    /// <summary>Create, change and delete ApprovalPolicies.</summary>
    public const string PolicyAdminRole = "jit-admission-policy-admin";

    private static string Slug(string user)
    {
        var slug = new string([.. user.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-')]).Trim('-');
        return slug.Length == 0 ? "user" : slug;
    }
}
