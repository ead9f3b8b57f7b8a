using JitAdmission.Controller.Notifications;
using JitAdmission.Core.Api;
using JitAdmission.Core.Approval;
using JitAdmission.Kubernetes.Events;
using k8s;
using k8s.Models;

namespace JitAdmission.Integration.Tests.Controller.Support;

/// <summary>Records Events instead of sending them.</summary>
public sealed class CapturingEvents : IEventRecorder
{
    private readonly List<(string Name, string Type, string Reason, string Message)> _events = [];

    public IReadOnlyList<(string Name, string Type, string Reason, string Message)> All
    {
        get
        {
            lock (_events) return [.. _events];
        }
    }

    public IReadOnlyList<string> ReasonsFor(string name) => [.. All.Where(e => e.Name == name).Select(e => e.Reason)];

    public void Record(IKubernetesObject<V1ObjectMeta> involved, string type, string reason, string message)
    {
        lock (_events) _events.Add((involved.Metadata.Name, type, reason, message));
    }
}

/// <summary>Records announcements instead of POSTing them.</summary>
public sealed class CapturingNotifier : INotifier
{
    private readonly List<(string Name, string Announcement)> _sent = [];

    public IReadOnlyList<string> For(string name)
    {
        lock (_sent) return [.. _sent.Where(s => s.Name == name).Select(s => s.Announcement)];
    }

    public void Notify(ApprovalRequest request, ApprovalEvaluation evaluation, string announcement, IReadOnlyList<ApprovalPolicy> policies)
    {
        lock (_sent) _sent.Add((request.Metadata.Name, announcement));
    }
}
