namespace JitAdmission.Cli.CommandLine;

/// <summary>
/// Exit codes scripts can rely on (docs/plugin.md). Every command uses the same meaning: an outcome of an approval
/// request has its own code, everything else that went wrong is 1, and a command line that cannot be parsed is 2.
/// </summary>
internal static class ExitCodes
{
    /// <summary>Done: listed, approved, created, applied; for wait and apply --wait: the request is Approved (or BreakGlass).</summary>
    public const int Success = 0;

    /// <summary>Something went wrong: API or kubeconfig error, request not found, review refused, kubectl failed.</summary>
    public const int Error = 1;

    /// <summary>The command line is wrong: unknown command or flag, missing or invalid argument.</summary>
    public const int Usage = 2;

    /// <summary>An approver denied the request.</summary>
    public const int Denied = 3;

    /// <summary>The request expired before it was approved, or its approval window ended.</summary>
    public const int Expired = 4;

    /// <summary>--timeout passed while the request was still pending.</summary>
    public const int TimedOut = 5;

    /// <summary>The approval was already used up (Consumed): a new change needs a new approval.</summary>
    public const int Consumed = 6;

    /// <summary>apply without --wait: the change needs approval and an ApprovalRequest is waiting for approvers.</summary>
    public const int Pending = 7;

    /// <summary>Interrupted (Ctrl-C), as shells report SIGINT.</summary>
    public const int Interrupted = 130;
}
