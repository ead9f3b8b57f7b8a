using JitAdmission.Core.Messages;
using JitAdmission.Kubernetes.Events;

namespace JitAdmission.Controller.Requests;

/// <summary>The core/v1 Event that goes with each announcement about an ApprovalRequest (what kubectl describe shows).</summary>
public static class RequestEvents
{
    /// <param name="now">For the relative times of an Expiring announcement ("in 9m"); without it, absolute times only.</param>
    public static (string Type, string Reason, string Message) For(
        string announcement, ApprovalRequest request, ApprovalEvaluation evaluation, DateTimeOffset? now = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(evaluation);
        var spec = request.Spec;
        var who = spec.Requester.Username;
        var what = evaluation.Action;
        var detail = evaluation.MessageFor(announcement);
        return announcement switch
        {
            ApprovalAnnouncements.Pending => (EventTypes.Normal, announcement,
                $"{who} requests {what}: approvals {evaluation.Progress} ({evaluation.RequirementsText}); "
                + $"approve with: {AdmissionMessages.ApproveCommand(request.Metadata.Name, request.Metadata.NamespaceProperty)}"),
            ApprovalAnnouncements.BreakGlass => (EventTypes.Warning, announcement, $"{who} used break-glass for {what}: {detail}"),
            ApprovalExpiry.Expiring => (EventTypes.Warning, announcement, $"{what} by {who}: {ApprovalExpiry.Describe(evaluation, now)}"),
            ApprovalAnnouncements.ReviewRejected => (EventTypes.Warning, announcement, $"break-glass review of {what} by {who} rejected: {detail}"),
            _ => (EventTypes.Normal, announcement, $"{what} by {who}: {detail}"),
        };
    }
}
