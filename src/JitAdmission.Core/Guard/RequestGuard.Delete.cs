namespace JitAdmission.Core.Guard;

public static partial class RequestGuard
{
    /// <summary>
    /// The namespace controller empties a namespace being deleted: the requests go with it (their history stays in the
    /// audit log). jit-admission deletes finished requests after the retention.
    /// </summary>
    public const string NamespaceController = "system:serviceaccount:kube-system:namespace-controller";

    /// <summary>
    /// ApprovalRequests are the record of who approved what: only jit-admission (retention) and the namespace
    /// controller (the whole namespace going away) delete them. Anyone else, a cluster admin included, is refused; an
    /// approver could otherwise erase a denial or a break-glass before anyone read it.
    /// </summary>
    public static IReadOnlyList<string> ValidateDelete(string name, UserInfo user, bool isOperator)
    {
        ArgumentNullException.ThrowIfNull(user);
        if (isOperator || user.Username == NamespaceController) return [];
        return [$"ApprovalRequests are records and cannot be deleted by \"{user.Username}\": jit-admission deletes \"{name}\" once it is finished "
            + "and its retention has passed (Operator:Retention), or with its whole namespace. To stop a pending request, deny it: kubectl jit deny "
            + name];
    }
}
