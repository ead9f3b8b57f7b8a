namespace JitAdmission.Core.Approval;

/// <summary>
/// The admission calls this process holds until their ApprovalRequest is approved. The controller asks, so that it
/// leaves a fresh approval's status to the held call, whose use writes it anyway (see RequestReconcilePlan).
/// </summary>
public interface IHeldCalls
{
    /// <summary>Whether a call in this process waits on, or is about to use, the request.</summary>
    bool AnyFor(string @namespace, string name);
}
