using JitAdmission.Core.Admission;
using JitAdmission.Core.Api;
using JitAdmission.Core.Approval;
using JitAdmission.Core.Matching;
using JitAdmission.Kubernetes.Api;
using JitAdmission.Kubernetes.Caching;
using JitAdmission.Kubernetes.Runtime;
using Microsoft.Extensions.Logging;

namespace JitAdmission.Webhook.Gating;

/// <summary>
/// <c>/validate</c>: asks <see cref="AdmissionEngine"/> for a plan and carries it out: records a use of an approval
/// (optimistically; on a conflict it re-reads and decides again), creates the ApprovalRequest, holds the call until
/// the request is approved, denied or the hold ends (a margin before the transport's deadline, so the user always gets
/// the needs-approval message), and fails closed with a reason on anything unexpected.
/// </summary>
public sealed class GateHandler : IDeadlineAwareAdmissionHandler
{
    /// <summary>Holds end this long before the transport's deadline: time to answer, and to record a last-moment use.</summary>
    public static readonly TimeSpan HoldMargin = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Plans in one call at most: each extra one follows a race (conflict, concurrent create, approval). A call sharing
    /// a Grant loses a round to every use that lands before its own: with four busy connections on one Grant, 16 let
    /// about one call in a hundred run out. The transport's deadline bounds the time either way.
    /// </summary>
    private const int MaxSteps = 32;

    /// <summary>
    /// After losing a use to a concurrent writer, wait up to this long (at random) before re-reading: calls sharing one
    /// Grant otherwise retry in lockstep and keep colliding.
    /// </summary>
    private const int ConflictJitterMilliseconds = 20;

    /// <summary>Without a deadline from the transport (direct calls), as long as the API server's longest timeout.</summary>
    private static readonly TimeSpan DefaultBudget = TimeSpan.FromSeconds(30);

    private const string NotLoaded = "jit-admission is starting and has not loaded the policies and approvals yet";

    private readonly PolicySetProvider _policies;
    private readonly ResourceCache<ApprovalRequest> _requests;
    private readonly IClusterContext _cluster;
    private readonly IApprovalRequestStore _store;
    private readonly OperatorIdentity _identity;
    private readonly HeldRequestWaiters _waiters;
    private readonly AdmissionMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CachedApprovalLookup _lookup;
    private readonly Func<bool> _loaded;

    /// <param name="loaded">Whether the caches hold the cluster's state yet: before that, an empty policy set would
    /// let everything through, so the gate fails closed instead (a replica restarting behind a registered webhook).</param>
    public GateHandler(
        PolicySetProvider policies, ResourceCache<ApprovalRequest> requests, IClusterContext cluster, IApprovalRequestStore store,
        OperatorIdentity identity, HeldRequestWaiters waiters, AdmissionMetrics metrics, TimeProvider time, ILogger<GateHandler> logger,
        Func<bool> loaded)
    {
        _loaded = loaded;
        _policies = policies;
        _requests = requests;
        _cluster = cluster;
        _store = store;
        _identity = identity;
        _waiters = waiters;
        _metrics = metrics;
        _time = time;
        _logger = logger;
        _lookup = new CachedApprovalLookup(requests);
    }

    public ValueTask<AdmissionVerdict> HandleAsync(AdmissionAttributes request, CancellationToken cancellationToken) =>
        HandleAsync(request, DefaultBudget, cancellationToken);

    public ValueTask<AdmissionVerdict> HandleAsync(AdmissionAttributes request, TimeSpan budget, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!_loaded()) return ValueTask.FromResult(AdmissionEngine.CouldNotDecide(null, NotLoaded));
        // Most requests match no policy: answered synchronously, with nothing allocated.
        if (_policies.Current.ApplicableCandidates(request).Count == 0) return ValueTask.FromResult(AdmissionVerdict.Allow);
        AdmissionPlan? plan = null;
        try
        {
            plan = Plan(request);
            if (plan is DecidedPlan decided) return ValueTask.FromResult(decided.Verdict);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            GateLog.Failed(_logger, e, request.Uid);
            return ValueTask.FromResult(AdmissionEngine.CouldNotDecide(plan, e.Message));
        }

        return new ValueTask<AdmissionVerdict>(ExecuteAsync(request, plan, budget, cancellationToken));
    }

    private AdmissionPlan Plan(AdmissionAttributes request) =>
        AdmissionEngine.Plan(new AdmissionEngineInput(
            request, _policies.Current, _cluster, _lookup, _identity.IsOperator(request.UserInfo), _identity.Namespace, _time.GetUtcNow()));

    private async Task<AdmissionVerdict> ExecuteAsync(AdmissionAttributes request, AdmissionPlan plan, TimeSpan budget, CancellationToken cancellationToken)
    {
        var started = _time.GetUtcNow();
        var hold = new HoldClock(started, started + budget - HoldMargin);
        var lostUse = false;
        // Registered from the first hold until the answer: it wakes the hold, and tells the controller a use is coming.
        HeldRequestWaiter? waiter = null;
        try
        {
            for (var step = 0; step < MaxSteps; step++)
            {
                switch (plan)
                {
                    case DecidedPlan decided:
                        hold.Complete(decided.Verdict.Allowed ? HoldResult.Approved : HoldResult.Denied);
                        return decided.Verdict;
                    case ConsumePlan consume:
                        // The first use after a hold is the approval's own: see AfterLostUseAsync.
                        if (await ConsumeAsync(request, consume, justApproved: hold.Waited && !lostUse, cancellationToken) is { } consumed)
                        {
                            hold.Complete(consumed.Allowed ? HoldResult.Approved : HoldResult.Denied);
                            return consumed;
                        }

                        lostUse = true;
                        break;
                    case BreakGlassPlan breakGlass:
                        if (await BreakGlassAsync(request, breakGlass, cancellationToken) is { } allowed) return allowed;
                        break;
                    case CreatePlan create:
                        var created = await _store.CreateAsync(create.Request, cancellationToken);
                        if (created.IsOk)
                        {
                            _requests.Upsert(created.Object);
                            GateLog.Created(_logger, created.Object.Metadata.NamespaceProperty, created.Object.Metadata.Name, request.Operation,
                                request.ResourceWithSubresource, request.UserInfo.Username, create.Gate.PolicyNames);
                            plan = AdmissionEngine.HoldFor(create, created.Object, _policies.Current, _time.GetUtcNow());
                            continue;
                        }

                        if (created.Outcome != ApiOutcome.AlreadyExists)
                            return Fail(request, plan, $"cannot create ApprovalRequest {create.Request.Metadata.Name} in namespace "
                                + $"{create.Request.Metadata.NamespaceProperty}: {created.Message}");
                        GateLog.CreateRaced(_logger, create.Request.Metadata.NamespaceProperty, create.Request.Metadata.Name);
                        await RefreshAsync(create.Request, cancellationToken);
                        break;
                    case HoldPlan held:
                        waiter = _waiters.Follow(waiter, held.Request.Metadata.NamespaceProperty, held.Request.Metadata.Name);
                        if (await HoldAsync(request, held, hold, waiter, cancellationToken) is { } answer) return answer;
                        break;
                }

                plan = Plan(request);
            }

            return Fail(request, plan, "the approval request kept changing while deciding; retry");
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e)
        {
            GateLog.Failed(_logger, e, request.Uid);
            return AdmissionEngine.CouldNotDecide(plan, e.Message);
        }
        finally
        {
            hold.Dispose();
            waiter?.Dispose();
        }
    }

    /// <summary>Records one use; null when the request changed meanwhile (decide again from the fresh copy).</summary>
    private async Task<AdmissionVerdict?> ConsumeAsync(AdmissionAttributes request, ConsumePlan plan, bool justApproved, CancellationToken cancellationToken)
    {
        var approval = KubernetesObjects.DeepCopy(plan.Approval);
        approval.Status = ApprovalUse.Record(approval.Status ?? new ApprovalRequestStatus(), plan.Evaluation, request, _time.GetUtcNow());
        var written = await _store.ReplaceStatusAsync(approval, cancellationToken);
        var (ns, name) = (approval.Metadata.NamespaceProperty, approval.Metadata.Name);
        switch (written.Outcome)
        {
            case ApiOutcome.Ok:
                // Read-your-writes: the next request must see this use even before the watch delivers it.
                _requests.Upsert(written.Object);
                GateLog.Consumed(_logger, ns, name, request.Operation, request.ResourceWithSubresource, request.UserInfo.Username, written.Object.Status?.Uses ?? 0);
                return AdmissionEngine.Consumed(plan, written.Object);
            case ApiOutcome.Conflict:
                // Someone else wrote first (the controller marking it Approved, another call or replica taking the use).
                GateLog.ConsumeRaced(_logger, ns, name, written.Outcome);
                await AfterLostUseAsync(plan.Approval, justApproved, cancellationToken);
                return null;
            case ApiOutcome.NotFound:
                return Fail(request, plan, $"ApprovalRequest {name} in namespace {ns} was deleted while it was being used; retry");
            default:
                return Fail(request, plan, $"cannot record the use of ApprovalRequest {name} in namespace {ns}: {written.Message}");
        }
    }

    /// <summary>
    /// After losing a use, waits until the next attempt can see the winner's write. A call just woken from its hold by
    /// the approval races the controller, which marks the request Approved on the same review event (on most
    /// approvals): that write is in the cache already or arrives by watch within milliseconds, so the call decides
    /// again from the cache at once instead of paying a pause and a read. Any other loss is a contention for one
    /// Grant: a random pause (the calls would otherwise retry in lockstep and keep colliding), then a read of the
    /// latest version, which the cache may lag behind by several writes.
    /// </summary>
    private async Task AfterLostUseAsync(ApprovalRequest stale, bool justApproved, CancellationToken cancellationToken)
    {
        var (ns, name) = (stale.Metadata.NamespaceProperty, stale.Metadata.Name);
        // Real time, not _time: a pause between two API calls, not a decision input.
        var pause = TimeSpan.FromMilliseconds(Random.Shared.Next(ConflictJitterMilliseconds + 1));
        if (justApproved)
        {
            // Registered before the check, so a change between the check and the wait still wakes it.
            using var waiter = _waiters.Register(ns, name);
            if (IsNewer() || (await waiter.WaitAsync(pause, TimeProvider.System, cancellationToken) && IsNewer())) return;
        }
        else
        {
            await Task.Delay(pause, cancellationToken);
        }

        await RefreshAsync(stale, cancellationToken);

        bool IsNewer() => _requests.Get(ns, name)?.Metadata.ResourceVersion != stale.Metadata.ResourceVersion;
    }

    /// <summary>Allowed once the record exists; null when another call created it meanwhile (decide again).</summary>
    private async Task<AdmissionVerdict?> BreakGlassAsync(AdmissionAttributes request, BreakGlassPlan plan, CancellationToken cancellationToken)
    {
        var record = plan.Record;
        if (!plan.Exists)
        {
            var created = await _store.CreateAsync(record, cancellationToken);
            if (created.Outcome == ApiOutcome.AlreadyExists)
            {
                await RefreshAsync(record, cancellationToken);
                return null;
            }

            // The record is the price of going ahead without approval: no record, no break-glass.
            if (!created.IsOk) return Fail(request, plan, $"cannot record the break-glass request {record.Metadata.Name}: {created.Message}");
            _requests.Upsert(created.Object);
            record = created.Object;
        }

        GateLog.BreakGlass(_logger, request.UserInfo.Username, request.Operation, request.ResourceWithSubresource, request.Namespace, request.Name,
            record.Metadata.NamespaceProperty, record.Metadata.Name);
        return AdmissionEngine.BreakGlassAllowed(plan, record);
    }

    /// <summary>
    /// Waits for the held request to change until the hold ends. Returns the verdict when the hold is over (denied,
    /// expired, timed out), or null once the request is usable, to plan again (which consumes it).
    /// </summary>
    private async Task<AdmissionVerdict?> HoldAsync(
        AdmissionAttributes request, HoldPlan plan, HoldClock hold, HeldRequestWaiter waiter, CancellationToken cancellationToken)
    {
        var (ns, name) = (plan.Request.Metadata.NamespaceProperty, plan.Request.Metadata.Name);
        var end = hold.EndFor(plan.Wait);
        if (end > hold.Started) hold.Begin(_metrics);
        while (true)
        {
            var now = _time.GetUtcNow();
            var current = _requests.Get(ns, name);
            var check = AdmissionEngine.CheckHeld(request, plan, current, _policies.Current, now);
            switch (check.State)
            {
                case HeldState.Usable or HeldState.Spent:
                    return null;
                case HeldState.Finished:
                    hold.Complete(HoldResult.Denied);
                    return check.Verdict;
            }

            if (now >= end)
            {
                hold.Complete(HoldResult.TimedOut);
                var held = end > hold.Started ? TimeSpan.FromSeconds(Math.Round((now - hold.Started).TotalSeconds)) : TimeSpan.Zero;
                return AdmissionEngine.NotApproved(request, plan, current!, check.Evaluation!, held, now);
            }

            var wake = check.Evaluation?.NextDeadline is { } deadline && deadline < end ? deadline : end;
            await waiter.WaitAsync(wake - now, _time, cancellationToken);
        }
    }

    private async Task RefreshAsync(ApprovalRequest request, CancellationToken cancellationToken)
    {
        var fresh = await _store.GetAsync(request.Metadata.NamespaceProperty, request.Metadata.Name, cancellationToken);
        if (fresh.IsOk) _requests.Upsert(fresh.Object);
    }

    private AdmissionVerdict Fail(AdmissionAttributes request, AdmissionPlan plan, string reason)
    {
        GateLog.CouldNotDecide(_logger, request.Uid, reason);
        return AdmissionEngine.CouldNotDecide(plan, reason);
    }

    /// <summary>
    /// One call's hold: it ends at the policy's wait after the call began, and never later than the margin before the
    /// transport's deadline; held calls are counted in the metrics from the first wait to the answer.
    /// </summary>
    private sealed class HoldClock(DateTimeOffset started, DateTimeOffset latest) : IDisposable
    {
        private HeldCall? _held;

        public DateTimeOffset Started => started;

        /// <summary>The call waited for an approval.</summary>
        public bool Waited => _held is not null;

        public DateTimeOffset EndFor(TimeSpan wait) => started + wait < latest ? started + wait : latest;

        public void Begin(AdmissionMetrics metrics) => _held ??= metrics.BeginHold();

        public void Complete(HoldResult result) => _held?.Complete(result);

        public void Dispose() => _held?.Dispose();
    }
}
