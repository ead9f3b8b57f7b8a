using JitAdmission.Controller.Policies;
using JitAdmission.Controller.Queue;
using JitAdmission.Controller.Requests;

namespace JitAdmission.Controller.Hosting;

/// <summary>
/// The controller for one term of leadership: fresh work queues fed by the caches, and the reconcile loops, until
/// the term ends. Everything starts from a full replay of the caches, so a term needs nothing from the one before:
/// a request whose deadline passed while nobody led is reconciled (and expired) at once.
/// </summary>
public sealed class ControllerTerm
{
    private readonly ClusterCaches _caches;
    private readonly ApprovalRequestReconciler _requests;
    private readonly ApprovalPolicyReconciler _policies;
    private readonly ControllerOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public ControllerTerm(
        ClusterCaches caches, ApprovalRequestReconciler requests, ApprovalPolicyReconciler policies, IOptions<ControllerOptions> options,
        TimeProvider time, ILogger<ControllerTerm> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _caches = caches;
        _requests = requests;
        _policies = policies;
        _options = options.Value;
        _time = time;
        _logger = logger;
        caches.Requests.AddPolicyIndex();
    }

    /// <summary>Runs until <paramref name="term"/> is cancelled, then waits for reconciles in flight.</summary>
    public async Task RunAsync(CancellationToken term)
    {
        // Reconciling from a half-loaded cache would report live policies as missing: wait for both.
        await Task.WhenAll(_caches.Policies.WaitForSyncAsync(term), _caches.Requests.WaitForSyncAsync(term));

        var retry = new WorkQueueOptions { BaseDelay = _options.RetryBaseDelay, MaxDelay = _options.RetryMaxDelay };
        using var requestQueue = new WorkQueue<string>(retry, _time);
        using var policyQueue = new WorkQueue<string>(retry, _time);
        var requestLoop = new ReconcileLoop<string>(ApiConstants.RequestPlural, requestQueue, _requests.ReconcileAsync, _logger, Math.Max(1, _options.RequestWorkers));
        var policyLoop = new ReconcileLoop<string>(ApiConstants.PolicyPlural, policyQueue, _policies.ReconcileAsync, _logger, Math.Max(1, _options.PolicyWorkers));

        using var policyEvents = _caches.Policies.Subscribe(e => OnPolicy(e, policyQueue, requestQueue), replayExisting: true);
        using var requestEvents = _caches.Requests.Subscribe(e => OnRequest(e, requestQueue, policyQueue), replayExisting: true);
        await Task.WhenAll(requestLoop.RunAsync(term), policyLoop.RunAsync(term));
    }

    private void OnPolicy(ResourceEvent<ApprovalPolicy> e, WorkQueue<string> policies, WorkQueue<string> requests)
    {
        var name = e.Object.Metadata.Name;
        policies.Add(name);
        // Requirements are live: a new, changed or deleted policy re-evaluates every request naming it. A status-only
        // update (our own write) changes nothing for them.
        var specChanged = e.Type != ResourceEventType.Updated
            || e.OldObject?.Metadata.Generation != e.NewObject?.Metadata.Generation
            || e.OldObject?.Metadata.Uid != e.NewObject?.Metadata.Uid;
        if (!specChanged) return;
        foreach (var request in RequestsByPolicy.Naming(_caches.Requests, name)) requests.Add(ObjectKeys.For(request));
    }

    private static bool ChangedSinceReconciled(ApprovalRequest request) =>
        request.Status?.ObservedGeneration is { } observed && observed < request.Metadata.Generation;

    private static void OnRequest(ResourceEvent<ApprovalRequest> e, WorkQueue<string> requests, WorkQueue<string> policies)
    {
        // A deleted request needs no reconcile: its pending timer, if any, finds nothing and stops. A changed spec (a
        // review) goes first: someone waits for it, while new requests (thousands, under pressure) can wait their turn.
        // So does a request reviewed since it was last reconciled, when a new leader replays the cache.
        if (e.Type != ResourceEventType.Deleted)
        {
            var urgent = e.Type == ResourceEventType.Updated
                ? e.OldObject?.Metadata.Generation != e.NewObject?.Metadata.Generation
                : ChangedSinceReconciled(e.Object);
            if (urgent) requests.AddUrgent(ObjectKeys.For(e.Object));
            else requests.Add(ObjectKeys.For(e.Object));
        }
        // Policy counts follow request phases.
        var phaseChanged = e.Type != ResourceEventType.Updated || e.OldObject?.Status?.Phase != e.NewObject?.Status?.Phase;
        if (!phaseChanged) return;
        foreach (var policy in e.Object.Spec.Policies) policies.Add(policy);
    }
}
