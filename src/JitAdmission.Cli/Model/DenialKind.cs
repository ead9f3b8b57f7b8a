namespace JitAdmission.Cli.Model;

/// <summary>What a jit-admission denial says about the ApprovalRequest behind it.</summary>
internal enum DenialKind
{
    /// <summary>The change needs approval (or is still not approved after the hold): wait for approvers, then retry.</summary>
    NeedsApproval,
    /// <summary>An approver denied the change.</summary>
    Denied,
    /// <summary>The request expired (or its approval window ended): running the change again creates a new request.</summary>
    Expired,
    /// <summary>The request can never be approved (a policy is missing or lists no approvers): approving cannot help.</summary>
    Unsatisfiable,
    /// <summary>jit-admission could not decide and failed closed.</summary>
    InternalError,
}
