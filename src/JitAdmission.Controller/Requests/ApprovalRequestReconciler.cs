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
/// </summary>
public sealed class ApprovalRequestReconciler
{
    private readonly ResourceCache<ApprovalRequest> _requests;
    private readonly ResourceCache<ApprovalPolicy> _policies;
    private readonly JitClient _client;
    private readonly IEventRecorder _events;
    private readonly INotifier _notifier;
    private readonly AuditLog _audit;
    private readonly TimeSpan _retention;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly IHeldCalls _heldCalls;

    public ApprovalRequestReconciler(
        ClusterCaches caches, JitClient client, IEventRecorder events, INotifier notifier, AuditLog audit, IHeldCalls heldCalls,
        IOptions<OperatorOptions> options, TimeProvider time, ILogger<ApprovalRequestReconciler> logger)
    {
        _requests = caches.Requests;
        _policies = caches.Policies;
        _client = client;
        _events = events;
        _notifier = notifier;
        _audit = audit;
        _heldCalls = heldCalls;
        _retention = options.Value.Retention;
        _time = time;
        _logger = logger;
    }

    public async Task<TimeSpan?> ReconcileAsync(string key, CancellationToken cancellationToken)
    {
        var (ns, name) = QueueKeys.Split(key);
        if (ns is null) return null; // requests are namespaced: not a request key
        var request = _requests.Get(ns, name);
        if (request is null) return null; // deleted: nothing to do, and no timer is re-armed

        var policies = NamedPolicies(request);
        var now = _time.GetUtcNow();
        var plan = RequestReconcilePlan.For(request, policies, now, _retention);
        if (plan.StatusToWrite is { } status)
        {
            if (plan.FirstUseLeftUntil is { } until && _heldCalls.AnyFor(ns, name))
            {
                // Not skipped, postponed: the held call's write wakes this reconcile, and so does the end of the grace.
                ApprovalRequestReconcilerLog.LeftToHeldCall(_logger, key);
                return until - now;
            }

            var update = KubernetesObjects.DeepCopy(request);
            update.Status = status;
            var written = await _client.ReplaceRequestStatusAsync(update, cancellationToken);
            switch (written.Outcome)
            {
                case ApiOutcome.Ok:
                    _requests.Upsert(written.Object);
                    request = written.Object;
                    ApprovalRequestReconcilerLog.StatusWritten(_logger, key, plan.Evaluation.Phase, plan.Evaluation.Progress);
                    foreach (var announcement in plan.Announcements) Announce(request, plan, announcement, policies);
                    break;
                case ApiOutcome.Conflict:
                    // Someone wrote first (a review was added, the webhook recorded a use): start again from their version.
                    await RefreshAsync(ns, name, cancellationToken);
                    return TimeSpan.Zero;
                case ApiOutcome.NotFound:
                    return null;
                default:
                    throw new ApiCallException($"writing the status of ApprovalRequest {key}: {written}");
            }
        }

        if (plan.IsDueForDeletion(now))
        {
            var deleted = await _client.DeleteRequestAsync(ns, name, request.Metadata.Uid, request.Metadata.ResourceVersion, cancellationToken);
            switch (deleted.Outcome)
            {
                case ApiOutcome.Ok or ApiOutcome.NotFound:
                    ApprovalRequestReconcilerLog.Deleted(_logger, key, plan.Evaluation.Phase, _retention);
                    _audit.RequestDeletion(ns, name, "retention", allowed: true, plan.Evaluation.Phase.ToString());
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
        var (type, reason, message) = RequestEvents.For(announcement, request, plan.Evaluation);
        _events.Record(request, type, reason, message);
        _audit.RequestPhase(request, announcement, plan.Evaluation.ApprovedBy, message);
        _notifier.Notify(request, plan.Evaluation, announcement, policies);
    }

    private async Task RefreshAsync(string ns, string name, CancellationToken cancellationToken)
    {
        var fresh = await _client.GetRequestAsync(ns, name, cancellationToken);
        if (fresh.IsOk) _requests.Upsert(fresh.Object);
        else if (fresh.Outcome != ApiOutcome.NotFound) throw new ApiCallException($"re-reading ApprovalRequest {ns}/{name}: {fresh}");
    }
}
