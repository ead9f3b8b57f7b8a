namespace JitAdmission.Core.Guard;

/// <summary>
/// Rules for writes to ApprovalRequests (docs/semantics.md "Reviews" and "Ahead-of-time requests"). Each returns the
/// reasons to reject, empty when the write is allowed; every reason says what to do instead.
/// </summary>
public static partial class RequestGuard
{
    /// <summary>Only jit-admission writes status; people change a request only by adding a review.</summary>
    public static IReadOnlyList<string> ValidateStatusChange(UserInfo user, bool isOperator)
    {
        ArgumentNullException.ThrowIfNull(user);
        return isOperator
            ? []
            : [$"the status of an ApprovalRequest is written only by jit-admission, not by \"{user.Username}\"; "
               + "to approve or deny, add a review: kubectl jit approve NAME -n NAMESPACE"];
    }

    private static List<ApprovalPolicy> Resolve(IEnumerable<string> names, Func<string, ApprovalPolicy?> policy, List<string> missing)
    {
        var found = new List<ApprovalPolicy>();
        foreach (var name in names.Distinct(StringComparer.Ordinal))
        {
            if (policy(name) is { } p) found.Add(p);
            else missing.Add(name);
        }

        return found;
    }

    private static bool IsSubset(IEnumerable<string>? items, IReadOnlyList<string> of) =>
        items is null || items.All(i => of.Contains(i, StringComparer.Ordinal));
}
