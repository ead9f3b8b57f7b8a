namespace JitAdmission.Core.Gate;

/// <summary>How a held call ended; the label of <c>jitadmission_approval_wait_seconds</c>.</summary>
public enum HoldResult
{
    Approved,
    Denied,
    TimedOut,
    Cancelled,
}
