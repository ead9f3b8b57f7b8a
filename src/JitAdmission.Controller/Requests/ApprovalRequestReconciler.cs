using JitAdmission.Controller.Notifications;
using JitAdmission.Kubernetes.Events;
using JitAdmission.Kubernetes.Audit;

namespace JitAdmission.Controller.Requests;

/// <summary>
/// Level-based reconciler of one ApprovalRequest (key <c>namespace/name</c>): computes the status from its reviews,
/// its live policies and the time (<see cref="RequestReconcilePlan"/>), writes it only when it changed (optimistic, with
/// the cached resourceVersion, so a use the webhook recorded meanwhile is never overwritten), announces new states
/// (Event, notifications), deletes finished requests after the retention, and asks to be called again at the next
/// deadline. Reads come from the caches; a conflict re-reads the object from the API server. A fresh approval that a
/// call in this process is held on is left to that call for a moment: its use writes the same status, one write sooner.
/// The announcements of a write are counted in <see cref="ApprovalRequestMetrics"/> only once the write succeeded, so
/// each transition is counted once however often the request is reconciled.
/// </summary>
public sealed class ApprovalRequestReconciler(
    ClusterCaches caches, JitClient client, IEventRecorder events, INotifier notifier, AuditLog audit, IHeldCalls heldCalls,
    ApprovalRequestMetrics metrics, IOptions<OperatorOptions> options, TimeProvider time, ILogger<ApprovalRequestReconciler> logger)
{
    private readonly ResourceCache<ApprovalRequest> _requests = caches.Requests;
    private readonly ResourceCache<ApprovalPolicy> _policies = caches.Policies;
    private readonly TimeSpan _retention = options.Value.Retention;
    private readonly TimeSpan _expiringNotice = options.Value.ExpiringNotice;

    public async Task<TimeSpan?> ReconcileAsync(string key, CancellationToken cancellationToken)
    {
        var (ns, name) = QueueKeys.Split(key);
        if (ns is null) return null; // requests are namespaced: not a request key
        var request = _requests.Get(ns, name);
        if (request is null) return null; // deleted: nothing to do, and no timer is re-armed

        var policies = NamedPolicies(request);
        var now = time.GetUtcNow();
        var plan = RequestReconcilePlan.For(request, policies, now, _retention, _expiringNotice);
        if (plan.StatusToWrite is { } status)
        {
            if (plan.FirstUseLeftUntil is { } until && heldCalls.AnyFor(ns, name))
            {
                // Not skipped, postponed: the held call's write wakes this reconcile, and so does the end of the grace.
                ApprovalRequestReconcilerLog.LeftToHeldCall(logger, key);
                return until - now;
            }

            var update = KubernetesObjects.DeepCopy(request);
            update.Status = status;
            var (written, requeueAfter) = await StatusWrites.WriteAsync(_requests, $"ApprovalRequest {key}",
                () => client.ReplaceRequestStatusAsync(update, cancellationToken), () => client.GetRequestAsync(ns, name, cancellationToken));
            if (written is null) return requeueAfter;
            var previous = ApprovalAnnouncements.Recorded(request.Status);
            request = written;
            ApprovalRequestReconcilerLog.StatusWritten(logger, key, plan.Evaluation.Phase, plan.Evaluation.Progress);
            foreach (var announcement in plan.Announcements) Announce(request, plan, announcement, policies);
            // Not a transition: announced like one, but kept out of the metrics, which count states.
            if (plan.Expiring) Announce(request, plan, ApprovalExpiry.Expiring, policies);
            metrics.Record(request, previous, plan.Announcements, plan.Evaluation);
        }

        if (plan.IsDueForDeletion(now))
        {
            var deleted = await client.DeleteRequestAsync(ns, name, request.Metadata.Uid, request.Metadata.ResourceVersion, cancellationToken);
            switch (deleted.Outcome)
            {
                case ApiOutcome.Ok or ApiOutcome.NotFound:
                    ApprovalRequestReconcilerLog.Deleted(logger, key, plan.Evaluation.Phase, _retention);
                    audit.RequestDeletion(ns, name, "retention", allowed: true, plan.Evaluation.Phase.ToString());
                    return null;
                case ApiOutcome.Conflict:
                    await RefreshAsync(ns, name, cancellationToken);
                    return TimeSpan.Zero;
                default:
                    throw new ApiCallException($"deleting the finished ApprovalRequest {key}: {deleted}");
            }
        }

        return plan.RequeueAfter(now);
    }

    /// <summary>The named policies the cache holds (a missing one makes the request unsatisfiable, which the evaluation reports).</summary>
    private List<ApprovalPolicy> NamedPolicies(ApprovalRequest request) =>
        [.. request.Spec.Policies.Distinct(StringComparer.Ordinal).Select(p => _policies.Get(null, p)).OfType<ApprovalPolicy>()];

    private void Announce(ApprovalRequest request, RequestReconcilePlan plan, string announcement, IReadOnlyList<ApprovalPolicy> policies)
    {
        var (type, reason, message) = RequestEvents.For(announcement, request, plan.Evaluation, time.GetUtcNow());
        events.Record(request, type, reason, message);
        // The audit log keeps decisions and phases; a warning that time runs out is neither.
        if (announcement != ApprovalExpiry.Expiring) audit.RequestPhase(request, announcement, plan.Evaluation.ApprovedBy, message);
        notifier.Notify(request, plan.Evaluation, announcement, policies);
    }

    private Task RefreshAsync(string ns, string name, CancellationToken cancellationToken) =>
        StatusWrites.RefreshAsync(_requests, $"ApprovalRequest {ns}/{name}", () => client.GetRequestAsync(ns, name, cancellationToken));
}
