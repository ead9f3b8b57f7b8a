using JitAdmission.Core.Gate;
using JitAdmission.Kubernetes.Api;
using JitAdmission.Kubernetes.Audit;
using JitAdmission.Kubernetes.Runtime;

namespace JitAdmission.Webhook.Gating;

/// <summary>
/// <c>/validate</c>: runs <see cref="GateMachine"/>'s effects. Every decision is the machine's; this class only talks
/// to the API server and the cache (a write's result is put into the cache at once, so the next step reads its own
/// writes), waits, logs, counts held calls, and fails closed with the reason when an effect throws.
/// </summary>
public sealed class GateHandler(
    PolicySetProvider policies, IAdmissionCaches caches, IClusterContext cluster, IApprovalRequestStore store, OperatorIdentity identity,
    HeldRequestWaiters waiters, AdmissionMetrics metrics, AuditLog audit, IOptions<GateOptions> options, IOptions<WebhookOptions> webhook,
    TimeProvider time, ILogger<GateHandler> logger) : IDeadlineAwareAdmissionHandler
{
    /// <summary>Without a deadline from the transport (direct calls), as long as the API server's longest timeout.</summary>
    private static readonly TimeSpan DefaultBudget = TimeSpan.FromSeconds(30);

    private readonly IAdmissionCaches _caches = caches;
    private readonly ResourceCache<ApprovalRequest> _requests = caches.Requests;
    private readonly CachedApprovalLookup _lookup = new(caches.Requests);
    private readonly OperatorIdentity _identity = identity;
    private readonly GateSettings _settings = new()
    {
        OperatorNamespace = identity.Namespace,
        Trusted = TrustedSubjects.From(options.Value.TrustedUsers, options.Value.TrustedGroups),
        MaxPendingPerRequester = options.Value.MaxPendingPerRequester,
        CallerAuthenticated = webhook.Value.ClientCaFile is { Length: > 0 },
    };

    public ValueTask<AdmissionVerdict> HandleAsync(AdmissionAttributes request, CancellationToken cancellationToken) =>
        HandleAsync(request, DefaultBudget, cancellationToken);

    public ValueTask<AdmissionVerdict> HandleAsync(AdmissionAttributes request, TimeSpan budget, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var loaded = _caches.IsSynced;
        // Most requests match no policy: answered synchronously, with nothing allocated. A Helm release record stands
        // for the objects of its revision, which policies may match (AdmissionEngine reads it).
        if (loaded && policies.Current.ApplicableCandidates(request).Count == 0 && !Core.Changes.HelmRelease.MayBe(request))
            return ValueTask.FromResult(AdmissionVerdict.Allow);
        GateStep step;
        try
        {
            var call = new GateCall(request, _identity.IsOperator(request.UserInfo), _settings, time.GetUtcNow(), budget);
            step = GateMachine.Start(call, View(loaded));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            GateLog.Failed(logger, e, request.Uid);
            return ValueTask.FromResult(GateVerdicts.CouldNotDecide((AdmissionPlan?)null, e.Message));
        }

        return step.Effect is Answer answer
            ? ValueTask.FromResult(Answered(request, answer, held: null))
            : new ValueTask<AdmissionVerdict>(RunAsync(request, step, cancellationToken));
    }

    private GateView View(bool loaded) => new(loaded, policies.Current, cluster, _lookup, time.GetUtcNow());

    /// <summary>Runs effects until the machine answers.</summary>
    private async Task<AdmissionVerdict> RunAsync(AdmissionAttributes request, GateStep step, CancellationToken cancellationToken)
    {
        var state = step.State;
        var effect = step.Effect;
        HeldCall? held = null;
        // Registered from the first wait until the answer: it wakes the hold, and tells the controller a use is coming.
        HeldRequestWaiter? waiter = null;
        try
        {
            while (true)
            {
                if (state.Held) held ??= metrics.BeginHold();
                GateObservation seen;
                try
                {
                    switch (effect)
                    {
                        case Answer answer:
                            return Answered(request, answer, held);
                        case CreateRequest create:
                            seen = await CreateAsync(request, state, create.Request, cancellationToken);
                            break;
                        case WriteStatus write:
                            seen = await WriteStatusAsync(request, write.Request, cancellationToken);
                            break;
                        case ReadRequest read:
                            await Task.Delay(Jitter(read.Jitter), cancellationToken);
                            await RefreshAsync(read.Namespace, read.Name, cancellationToken);
                            seen = Observed.Instance;
                            break;
                        case WaitForChange wait:
                            (waiter, seen) = await WaitAsync(waiter, wait, cancellationToken);
                            break;
                        default:
                            seen = new Failed($"unknown effect {effect.GetType().Name}");
                            break;
                    }
                }
                catch (Exception e) when (!cancellationToken.IsCancellationRequested)
                {
                    GateLog.Failed(logger, e, request.Uid);
                    seen = new Failed(e.Message);
                }

                try
                {
                    (state, effect) = GateMachine.Next(state, seen, View(loaded: true));
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    GateLog.Failed(logger, e, request.Uid);
                    (state, effect) = GateMachine.Fail(state, e.Message);
                }
            }
        }
        finally
        {
            held?.Dispose();
            waiter?.Dispose();
        }
    }

    private AdmissionVerdict Answered(AdmissionAttributes request, Answer answer, HeldCall? held)
    {
        var verdict = answer.Verdict;
        held?.Complete(answer.Hold ?? HoldResult.Cancelled);
        // Every decision on a gated request is an audit line; a plain allow (no policy matched) is not.
        if (!ReferenceEquals(verdict, AdmissionVerdict.Allow)) audit.Admission(request, verdict);
        if (verdict.Outcome == Outcomes.Error && verdict.Code >= 500) GateLog.CouldNotDecide(logger, request.Uid, verdict.Message ?? "");
        else if (verdict.Outcome == Outcomes.BreakGlass)
            GateLog.BreakGlass(logger, request.UserInfo.Username, request.Operation, request.ResourceWithSubresource, request.Namespace, request.Name,
                verdict.AuditAnnotations.GetValueOrDefault(AuditKeys.Request, ""));
        return verdict;
    }

    private async Task<Wrote> CreateAsync(AdmissionAttributes request, GateState state, ApprovalRequest draft, CancellationToken cancellationToken)
    {
        var created = await store.CreateAsync(draft, cancellationToken);
        var (ns, name) = (draft.Metadata.NamespaceProperty, draft.Metadata.Name);
        if (created.IsOk)
        {
            _requests.Upsert(created.Object);
            if (state.Stage == GateStage.Creating)
                GateLog.Created(logger, ns, name, request.Operation, request.ResourceWithSubresource, request.UserInfo.Username, draft.Spec.Policies);
        }
        else if (created.Outcome == ApiOutcome.AlreadyExists)
        {
            GateLog.CreateRaced(logger, ns, name);
        }

        return Observation(created);
    }

    private async Task<Wrote> WriteStatusAsync(AdmissionAttributes request, ApprovalRequest withUse, CancellationToken cancellationToken)
    {
        var written = await store.ReplaceStatusAsync(withUse, cancellationToken);
        var (ns, name) = (withUse.Metadata.NamespaceProperty, withUse.Metadata.Name);
        if (written.IsOk)
        {
            // Read-your-writes: the next request must see this use even before the watch delivers it.
            _requests.Upsert(written.Object);
            GateLog.Consumed(logger, ns, name, request.Operation, request.ResourceWithSubresource, request.UserInfo.Username, written.Object.Status?.Uses ?? 0);
        }
        else if (written.Outcome == ApiOutcome.Conflict)
        {
            GateLog.ConsumeRaced(logger, ns, name, written.Outcome);
        }

        return Observation(written);
    }

    /// <summary>
    /// Waits on the followed request. A request not followed yet is followed first and reported as changed at once:
    /// the machine read the cache before the registration, so it must look again before anything is missed.
    /// </summary>
    private async Task<(HeldRequestWaiter, GateObservation)> WaitAsync(HeldRequestWaiter? waiter, WaitForChange wait, CancellationToken cancellationToken)
    {
        var followed = waiters.Follow(waiter, wait.Namespace, wait.Name);
        if (!ReferenceEquals(followed, waiter)) return (followed, new Woke(true));
        // A pause between two API calls is real time; a hold's end is the clock's (tests move it).
        var changed = wait.Jitter > TimeSpan.Zero
            ? await followed.WaitAsync(Jitter(wait.Jitter), TimeProvider.System, cancellationToken)
            : await followed.WaitAsync(wait.Until - time.GetUtcNow(), time, cancellationToken);
        return (followed, new Woke(changed));
    }

    private async Task RefreshAsync(string @namespace, string name, CancellationToken cancellationToken)
    {
        var fresh = await store.GetAsync(@namespace, name, cancellationToken);
        if (fresh.IsOk) _requests.Upsert(fresh.Object);
    }

    private static Wrote Observation(ApiResult<ApprovalRequest> result) => result.Outcome switch
    {
        ApiOutcome.Ok => new Wrote(WriteOutcome.Ok, result.Object),
        ApiOutcome.AlreadyExists => new Wrote(WriteOutcome.AlreadyExists, Message: result.Message ?? ""),
        ApiOutcome.Conflict => new Wrote(WriteOutcome.Conflict, Message: result.Message ?? ""),
        ApiOutcome.NotFound => new Wrote(WriteOutcome.NotFound, Message: result.Message ?? ""),
        _ => new Wrote(WriteOutcome.Failed, Message: result.Message ?? ""),
    };

    /// <summary>A random pause of up to <paramref name="upTo"/> (real time: it spreads API calls, it decides nothing).</summary>
    private static TimeSpan Jitter(TimeSpan upTo) =>
        upTo <= TimeSpan.Zero ? TimeSpan.Zero : TimeSpan.FromMilliseconds(Random.Shared.Next((int)upTo.TotalMilliseconds + 1));
}
