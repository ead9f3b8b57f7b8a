namespace JitAdmission.Core.Gate;

/// <summary>One step of a call: the state to keep and what to do next.</summary>
public readonly record struct GateStep(GateState State, GateEffect Effect);

/// <summary>
/// The gate as one pure state machine: <c>(state, observation, view) → (state, effect)</c>. Each round plans with
/// <see cref="AdmissionEngine.Plan"/> from the webhook's caches and carries the plan out as effects — create a request,
/// write a use, read, wait — whose outcomes come back as observations. Everything that decides how a call goes lives
/// here: the round limit, what to do after a lost use, when a hold ends, and the answer before the caches are loaded.
/// The webhook (<c>GateHandler</c>) only runs the effects. docs/architecture.md draws the conversation.
/// </summary>
public static class GateMachine
{
    /// <summary>Holds end this long before the transport's deadline: time to answer, and to record a last-moment use.</summary>
    public static readonly TimeSpan HoldMargin = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Plans in one call at most: each extra one follows a race (conflict, concurrent create, approval). A call sharing
    /// a Grant loses a round to every use that lands before its own: with four busy connections on one Grant, 16 let
    /// about one call in a hundred run out; with sixteen (make faults), 32 still did (1 in 80). A round costs a read and
    /// up to 20 ms of jitter, so 128 stay within the transport's deadline, which bounds the time either way.
    /// </summary>
    public const int MaxRounds = 128;

    /// <summary>
    /// After losing a use, pause up to this long (at random) before reading again: calls sharing one Grant otherwise
    /// retry in lockstep and keep colliding.
    /// </summary>
    public static readonly TimeSpan LostUseJitter = TimeSpan.FromMilliseconds(20);

    /// <summary>
    /// A held request is read from the API server at least this often, and a "not approved yet" answer is never given
    /// from an older copy: the watch that feeds the cache can stall silently (connection open, no events) or lag, and
    /// an approval must not stay invisible until the watch is renewed. A call that created the request or read it
    /// itself counts as having checked it then.
    /// </summary>
    public static readonly TimeSpan HeldRecheck = TimeSpan.FromSeconds(5);

    public const string NotLoaded = "jit-admission is starting and has not loaded the policies and approvals yet";

    /// <summary>The first step of a call.</summary>
    public static GateStep Start(GateCall call, GateView view)
    {
        ArgumentNullException.ThrowIfNull(call);
        ArgumentNullException.ThrowIfNull(view);
        var state = new GateState { Call = call };
        // Before the caches are loaded an empty policy set would let everything through: fail closed instead.
        return view.Loaded ? PlanRound(state, view) : Answer(state, GateVerdicts.CouldNotDecide((AdmissionPlan?)null, NotLoaded));
    }

    /// <summary>The step after the webhook carried out the last effect and saw <paramref name="seen"/>.</summary>
    public static GateStep Next(GateState state, GateObservation seen, GateView view)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(seen);
        ArgumentNullException.ThrowIfNull(view);
        if (seen is Failed failed) return Fail(state, failed.Reason);
        return (state.Stage, seen, state.Plan) switch
        {
            (GateStage.Creating, Wrote w, CreatePlan plan) => Created(state, plan, w, view),
            (GateStage.RecordingBreakGlass, Wrote w, BreakGlassPlan plan) => Recorded(state, plan, w, view),
            (GateStage.Using, Wrote w, ConsumePlan plan) => Used(state, plan, w, view),
            (GateStage.Holding, Woke, HoldPlan) => Hold(state, view),
            (GateStage.AwaitingWinner, Woke, ConsumePlan plan) => IsNewer(plan.Approval, state.StaleVersion, view)
                ? PlanRound(state, view)
                : Read(state, plan.Approval, TimeSpan.Zero, view),
            (GateStage.Reading, Observed, _) => PlanRound(state, view),
            _ => Fail(state, $"the gate saw {seen.GetType().Name} while {state.Stage}"),
        };
    }

    /// <summary>Fail closed with <paramref name="reason"/> (the webhook's answer when carrying out an effect threw).</summary>
    public static GateStep Fail(GateState state, string reason)
    {
        ArgumentNullException.ThrowIfNull(state);
        return new GateStep(state with { Stage = GateStage.Planning }, new Answer(GateVerdicts.CouldNotDecide(state.Plan, reason)));
    }

    private static GateStep PlanRound(GateState state, GateView view)
    {
        if (state.Rounds >= MaxRounds) return Fail(state, "the approval request kept changing while deciding; retry");
        var call = state.Call;
        var plan = AdmissionEngine.Plan(new AdmissionEngineInput(
            call.Request, view.Policies, view.Cluster, view.Approvals, call.IsOperator, call.Settings, view.Now));
        state = state with { Plan = plan, Rounds = state.Rounds + 1, Stage = GateStage.Planning };
        return plan switch
        {
            DecidedPlan decided => Answer(state, decided.Verdict),
            ConsumePlan consume => Use(state, consume, view),
            BreakGlassPlan { Exists: true } breakGlass => Answer(state, GateVerdicts.BreakGlassAllowed(breakGlass, breakGlass.Record)),
            BreakGlassPlan breakGlass => new GateStep(state with { Stage = GateStage.RecordingBreakGlass }, new CreateRequest(breakGlass.Record)),
            CreatePlan create => new GateStep(state with { Stage = GateStage.Creating }, new CreateRequest(create.Request)),
            HoldPlan => Hold(state, view),
            _ => Fail(state, $"unknown plan {plan.GetType().Name}"),
        };
    }

    /// <summary>Record one use: the request's status with the use, written against the version the plan saw.</summary>
    private static GateStep Use(GateState state, ConsumePlan plan, GateView view)
    {
        var approval = plan.Approval;
        // The cached object is shared: the write carries a new object with its own status (Record copies, it never mutates).
        var withUse = new ApprovalRequest
        {
            ApiVersion = approval.ApiVersion,
            Kind = approval.Kind,
            Metadata = approval.Metadata,
            Spec = approval.Spec,
            Status = ApprovalUse.Record(approval.Status ?? new ApprovalRequestStatus(), plan.Evaluation, state.Call.Request, view.Now, plan.UsedEntry ?? plan.Gate.Fingerprint),
        };
        return new GateStep(state with { Stage = GateStage.Using }, new WriteStatus(withUse));
    }

    private static GateStep Used(GateState state, ConsumePlan plan, Wrote wrote, GateView view)
    {
        var (ns, name) = (plan.Approval.Metadata.NamespaceProperty, plan.Approval.Metadata.Name);
        switch (wrote.Outcome)
        {
            case WriteOutcome.Ok:
                return Answer(state, GateVerdicts.Consumed(plan, wrote.Object!));
            case WriteOutcome.Conflict:
                return AfterLostUse(state, plan, view);
            case WriteOutcome.NotFound:
                return Fail(state, $"ApprovalRequest {name} in namespace {ns} was deleted while it was being used; retry");
            default:
                return Fail(state, $"cannot record the use of ApprovalRequest {name} in namespace {ns}: {wrote.Message}");
        }
    }

    /// <summary>
    /// Someone wrote first: the controller marking the request Approved, another call or replica taking the use. A call
    /// just woken from its hold by the approval races the controller, which marks the request Approved on the same
    /// review event: that write is in the cache already or arrives by watch within milliseconds, so the call decides
    /// again from the cache instead of paying a read. Any other loss is a contention for one Grant: a random pause
    /// (the calls would otherwise retry in lockstep), then a read of the latest version, which the cache may lag
    /// behind by several writes.
    /// </summary>
    private static GateStep AfterLostUse(GateState state, ConsumePlan plan, GateView view)
    {
        var justApproved = state.Held && !state.LostUse;
        state = state with { LostUse = true };
        if (!justApproved) return Read(state, plan.Approval, LostUseJitter, view);
        var stale = plan.Approval.Metadata.ResourceVersion;
        if (IsNewer(plan.Approval, stale, view)) return PlanRound(state, view);
        var (ns, name) = (plan.Approval.Metadata.NamespaceProperty, plan.Approval.Metadata.Name);
        return new GateStep(state with { Stage = GateStage.AwaitingWinner, StaleVersion = stale }, new WaitForChange(ns, name, view.Now, LostUseJitter));
    }

    private static bool IsNewer(ApprovalRequest stale, string? staleVersion, GateView view) =>
        view.Approvals.Get(stale.Metadata.NamespaceProperty, stale.Metadata.Name)?.Metadata.ResourceVersion != staleVersion;

    private static GateStep Created(GateState state, CreatePlan plan, Wrote wrote, GateView view)
    {
        var request = plan.Request.Metadata;
        switch (wrote.Outcome)
        {
            case WriteOutcome.Ok:
                var created = wrote.Object!;
                var hold = new HoldPlan(plan.Gate, created, AdmissionEngine.Evaluate(created, view.Policies, view.Now), plan.Wait, plan.PreviouslyUsed)
                {
                    Warnings = plan.Warnings,
                    AdvisoryPolicies = plan.AdvisoryPolicies,
                };
                return Hold(state with { Plan = hold, Checked = new CheckedRequest(Key(created), view.Now) }, view);
            case WriteOutcome.AlreadyExists:
                // Another replica (or an earlier try) created it first: read it, then decide again with it.
                return Read(state, plan.Request, TimeSpan.Zero, view);
            default:
                return Fail(state, $"cannot create ApprovalRequest {request.Name} in namespace {request.NamespaceProperty}: {wrote.Message}");
        }
    }

    private static GateStep Recorded(GateState state, BreakGlassPlan plan, Wrote wrote, GateView view) =>
        wrote.Outcome switch
        {
            WriteOutcome.Ok => Answer(state, GateVerdicts.BreakGlassAllowed(plan, wrote.Object!)),
            WriteOutcome.AlreadyExists => Read(state, plan.Record, TimeSpan.Zero, view),
            // The record is the price of going ahead without approval: no record, no break-glass.
            _ => Fail(state, $"cannot record the break-glass request {plan.Record.Metadata.Name}: {wrote.Message}"),
        };

    /// <summary>
    /// Where the held request stands now: usable or spent (plan again, which uses it or makes a new request), finished
    /// (the answer), or still Pending (wait for a change, the next deadline or the end of the hold, whichever is first).
    /// The hold ends at the policy's wait after the call began, and never later than the margin before the transport's deadline.
    /// </summary>
    private static GateStep Hold(GateState state, GateView view)
    {
        var plan = (HoldPlan)state.Plan!;
        var call = state.Call;
        var request = call.Request;
        var (ns, name) = (plan.Request.Metadata.NamespaceProperty, plan.Request.Metadata.Name);
        var latest = call.LatestHoldEnd;
        var end = call.Started + plan.Wait < latest ? call.Started + plan.Wait : latest;
        state = state with { Stage = GateStage.Holding, Held = state.Held || end > call.Started };

        var current = view.Approvals.Get(ns, name);
        if (current is null) return Answer(state, GateVerdicts.Deleted(request, plan), HoldResult.Denied);
        var evaluation = AdmissionEngine.Evaluate(current, view.Policies, view.Now);
        if (evaluation.IsUsable || evaluation.Phase == RequestPhase.Consumed) return PlanRound(state, view);
        if (evaluation.Phase == RequestPhase.Denied) return Answer(state, GateVerdicts.DeniedByApprover(request, plan, current, evaluation), HoldResult.Denied);
        if (evaluation.IsFinished) return Answer(state, GateVerdicts.Expired(request, plan, current, evaluation), HoldResult.Denied);

        var now = view.Now;
        var checkedAt = state.Checked is { } seen && seen.Key == Key(current) ? seen.At : (DateTimeOffset?)null;
        var recheck = (checkedAt ?? call.Started) + HeldRecheck;
        if (now >= end)
        {
            // "Not approved" only from a copy this call checked lately: the cache may lag behind an approval.
            if (checkedAt is null || now - checkedAt > HeldRecheck) return Read(state, current, TimeSpan.Zero, view);
            var held = end > call.Started ? TimeSpan.FromSeconds(Math.Round((now - call.Started).TotalSeconds)) : TimeSpan.Zero;
            return Answer(state, GateVerdicts.NotApproved(request, plan, current, evaluation, held, now), HoldResult.TimedOut);
        }

        if (now >= recheck) return Read(state, current, TimeSpan.Zero, view);
        var wake = evaluation.NextDeadline is { } deadline && deadline < end ? deadline : end;
        return new GateStep(state, new WaitForChange(ns, name, recheck < wake ? recheck : wake));
    }

    /// <summary>Read <paramref name="request"/> from the API server into the cache (for a held request, that checks it).</summary>
    private static GateStep Read(GateState state, ApprovalRequest request, TimeSpan jitter, GateView view) =>
        new(state with { Stage = GateStage.Reading, Checked = new CheckedRequest(Key(request), view.Now) },
            new ReadRequest(request.Metadata.NamespaceProperty, request.Metadata.Name, jitter));

    private static string Key(ApprovalRequest request) => $"{request.Metadata.NamespaceProperty}/{request.Metadata.Name}";

    /// <summary>The answer; for a call that held, how its hold ended (an allow after a hold is an approval).</summary>
    private static GateStep Answer(GateState state, AdmissionVerdict verdict, HoldResult? ended = null)
    {
        HoldResult? hold = state.Held ? ended ?? (verdict.Allowed ? HoldResult.Approved : HoldResult.Denied) : null;
        return new GateStep(state with { Stage = GateStage.Planning }, new Answer(verdict, hold));
    }
}
