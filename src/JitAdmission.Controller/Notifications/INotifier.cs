namespace JitAdmission.Controller.Notifications;

/// <summary>Sends an announcement about a request to the notify targets of its policies. Never blocks, never throws.</summary>
public interface INotifier
{
    void Notify(ApprovalRequest request, ApprovalEvaluation evaluation, string announcement, IReadOnlyList<ApprovalPolicy> policies);
}
