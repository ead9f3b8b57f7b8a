using JitAdmission.Core.Changes;
using JitAdmission.Core.Fingerprinting;
using JitAdmission.Core.Messages;
using JitAdmission.Core.Naming;

namespace JitAdmission.Core.Admission;

/// <summary>
/// The gate's plan for one admission request (docs/semantics.md), pure: from the request, the policies, live context,
/// the cached approvals and the time it decides what to do next — answer, use an approval, create a request, hold on
/// one, or record a break-glass. <see cref="Gate.GateMachine"/> calls it at every round and carries the plan out.
/// </summary>
public static partial class AdmissionEngine
{
    /// <summary>The shared answer for everything not gated: no allocation on the hot path.</summary>
    private static readonly DecidedPlan NothingGated = new(AdmissionVerdict.Allow);

    public static AdmissionPlan Plan(AdmissionEngineInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var request = input.Request;
        // A Helm release record opens a revision: its gated objects are asked for together, before Helm writes any.
        if (HelmRelease.MayBe(request) && PlanHelmRecord(input) is { } helm) return helm;
        // Fast path: the index answers most requests without touching the object.
        if (input.Policies.ApplicableCandidates(request).Count == 0) return NothingGated;
        // jit-admission's own writes are never gated, nor is its API: gating reviews could lock approvers out, and
        // writes to approval requests and policies are the guard's business. Nor are the controllers running the cluster.
        if (input.IsOperator || request.Resource.Group == ApiConstants.Group || input.Settings.Trusted.Contains(request.UserInfo)) return NothingGated;

        var triage = Triage.Of(PolicyEvaluator.EvaluateApplicable(input.Policies, request, input.Cluster, input.Now), request);
        if (triage.Errors.Count > 0) return new DecidedPlan(GateVerdicts.PolicyError(request, triage));
        if (triage.Enforce.Count == 0) return new DecidedPlan(GateVerdicts.Advisory(triage));
        return Gated(input, triage);
    }

    /// <summary>At least one Enforce policy matched: break-glass, an approval to use, a request to hold on, or a new one.</summary>
    private static AdmissionPlan Gated(AdmissionEngineInput input, Triage triage)
    {
        var request = input.Request;
        var warnings = triage.Warnings;
        var advisory = triage.Advisory;
        if (triage.Enforce.Count > ApiLimits.MaxPoliciesPerRequest)
        {
            return Decided(GateVerdicts.CouldNotDecide(warnings, $"{triage.Enforce.Count} policies gate this request, more than the "
                + $"{ApiLimits.MaxPoliciesPerRequest} one approval request can name; ask the cluster admin to merge policies"));
        }

        string fingerprint;
        bool noChange;
        try
        {
            fingerprint = Fingerprint.Compute(request);
            noChange = NoOpUpdate.Is(request);
        }
        catch (JsonException ex)
        {
            return Decided(GateVerdicts.CouldNotDecide(warnings, "cannot read the object: " + ex.Message));
        }

        var gate = new AdmissionGate(triage.Enforce, EffectiveApproval.From(triage.Enforce), fingerprint, RequestNamespace(request, input.Settings.OperatorNamespace));
        if (noChange) return Decided(GateVerdicts.NoChangeAllowed(gate, advisory, warnings));

        if (ApprovalRequestDraft.BreakGlassReason(request) is { } breakGlass)
        {
            if (!input.Settings.CallerAuthenticated)
            {
                // Without client authentication anyone able to reach the webhook could post this review with any groups:
                // the annotation alone must never create a record that lets the change through (docs/threat-model.md).
                warnings.Add($"the {ApiConstants.BreakGlassAnnotation} annotation is not honoured here: jit-admission cannot tell the API server "
                    + "from a forged caller (client authentication is off). Ask for break-glass through the API instead: kubectl jit request "
                    + $"--break-glass --reason \"…\" (policies {string.Join(", ", gate.PolicyNames)}), then run the change again");
            }
            else if (gate.Effective.AllowsBreakGlass(request.UserInfo))
            {
                if (string.IsNullOrWhiteSpace(breakGlass))
                    return Decided(GateVerdicts.Denied(gate, advisory, warnings, null, Outcomes.Deny, GateVerdicts.BadBreakGlassMessage(request))
                        with { Denial = new GateDenial(DenialKind.PolicyError) });
                if (request.DryRun)
                    return Decided(GateVerdicts.DryRunAllowed(gate, advisory, warnings, $"dry run: break-glass would let this through at once and "
                        + $"record it for review ({PolicyNames(gate)}); nothing was recorded"));
                return PlanBreakGlass(input, gate, ApprovalRequestDraft.Bounded(breakGlass, ApiLimits.MaxReasonLength)) with { Warnings = warnings, AdvisoryPolicies = advisory };
            }

            else
            {
                warnings.Add($"the {ApiConstants.BreakGlassAnnotation} annotation is ignored: {request.UserInfo.Username} is not a break-glass "
                    + $"subject of {PolicyNames(gate)}, so the change needs approval as usual");
            }
        }

        var covering = FindCovering(input, gate);
        if (request.DryRun)
        {
            var notice = new DryRunNotice(gate.PolicyNames, covering?.Request.Metadata.NamespaceProperty, covering?.Request.Metadata.Name);
            var verdict = GateVerdicts.DryRunAllowed(gate, advisory, warnings, AdmissionMessages.DryRunWarning(gate.Policies, covering?.Request));
            return Decided(verdict with { Warnings = [.. verdict.Warnings, notice.Format()] });
        }
        if (covering is not null)
            return new ConsumePlan(gate, covering.Request, covering.Evaluation) { Warnings = warnings, AdvisoryPolicies = advisory };
        if (HelmCovering(input, gate, warnings) is { } release)
            return release with { Warnings = warnings, AdvisoryPolicies = advisory };
        if (JustUsed(input, gate) is { } retried)
            return Decided(GateVerdicts.RetryAllowed(gate, advisory, warnings, retried));

        var sameChange = SameChange(input, gate, breakGlass: false);
        var slot = RequestNaming.Choose(request, fingerprint, sameChange, r => EvaluateForSlot(r, gate, input), input.Now, HolderIn(input, gate));
        var previous = PreviouslyUsed(request, gate, slot, sameChange, input);
        var wait = gate.Effective.Wait;
        switch (slot.Kind)
        {
            case RequestSlotKind.Denied:
                return Decided(GateVerdicts.Denied(gate, advisory, warnings, slot.Existing, Outcomes.Deny,
                    AdmissionMessages.Denied(request, slot.Existing!, slot.Evaluation!)) with { Denial = GateDenial.For(DenialKind.Denied, slot.Existing) });
            case RequestSlotKind.Reuse when slot.Evaluation!.IsUsable:
                // Usable requests for this fingerprint were found above; this one is here only if coverage changed meanwhile.
                return new ConsumePlan(gate, slot.Existing!, slot.Evaluation) { Warnings = warnings, AdvisoryPolicies = advisory };
            case RequestSlotKind.Reuse:
                return new HoldPlan(gate, slot.Existing!, slot.Evaluation, wait, previous) { Warnings = warnings, AdvisoryPolicies = advisory };
            default:
                if (TooManyPending(input) is { } pending)
                    return Decided(GateVerdicts.Denied(gate, advisory, warnings, null, Outcomes.Deny, AdmissionMessages.TooManyPending(request, pending, input.Settings.MaxPendingPerRequester))
                        with { Denial = new GateDenial(DenialKind.TooManyPending) });
                var draft = ApprovalRequestDraft.For(request, gate, slot.Name, breakGlass: false, ApprovalRequestDraft.ReasonOf(request));
                draft.Spec.AutoApprovals = AutoApprovals(input, triage, warnings);
                return new CreatePlan(gate, draft, wait, previous)
                {
                    Warnings = warnings,
                    AdvisoryPolicies = advisory,
                };
        }
    }

    /// <summary>
    /// The auto-approval rules that hold for this call, recorded on the request it creates; null when none. Only on calls
    /// the API server authenticated: a forged review could otherwise describe a change the rule likes and have jit-admission
    /// approve its fingerprint (docs/threat-model.md).
    /// </summary>
    private static List<AutoApprovalRecord>? AutoApprovals(AdmissionEngineInput input, Triage triage, List<string> warnings)
    {
        if (!triage.EnforceCompiled.Any(p => p.AutoApprovals.Count > 0)) return null;
        if (!input.Settings.CallerAuthenticated)
        {
            warnings.Add("auto-approval rules are not applied here: jit-admission cannot tell the API server from a forged caller "
                + "(client authentication is off), so people must approve");
            return null;
        }

        var (records, errors) = AutoApproval.Evaluate(triage.EnforceCompiled, new MatchInput(input.Request, input.Cluster, input.Now));
        warnings.AddRange(errors);
        return records.Count > 0 ? records : null;
    }

    /// <summary>Allowed at once and recorded as a break-glass request; a retry of the same change finds its record.</summary>
    private static BreakGlassPlan PlanBreakGlass(AdmissionEngineInput input, AdmissionGate gate, string reason)
    {
        var request = input.Request;
        // Records have names of their own ("breakglass-…"), so they never take the slot of a normal request.
        var slot = RequestNaming.Choose(
            BreakGlassPrefix + request.ResourceWithSubresource, request.Name, gate.Fingerprint, request.UserInfo.Username,
            SameChange(input, gate, breakGlass: true), r => Evaluate(r, input.Policies, input.Now), input.Now, HolderIn(input, gate));
        return slot is { Kind: RequestSlotKind.Reuse, Existing: { } existing }
            ? new BreakGlassPlan(gate, existing, Exists: true)
            : new BreakGlassPlan(gate, ApprovalRequestDraft.For(request, gate, slot.Name, breakGlass: true, reason), Exists: false);
    }

    private const string BreakGlassPrefix = "breakglass-";

    /// <summary>
    /// How long after an approval for this exact connection (exec, attach, port-forward) was used the identical one
    /// (same fingerprint, requester and operation) is still let through: kubectl falls back from WebSocket to SPDY after
    /// its first attempt passed admission but failed further on, so one command sends two CONNECTs. Other operations
    /// get no grace: a second identical write cannot be told from a new one (say, after an admin reverted the first),
    /// and a single-use approval must stay single-use.
    /// </summary>
    public static readonly TimeSpan RetryGrace = TimeSpan.FromSeconds(5);

    private static UsedApproval? JustUsed(AdmissionEngineInput input, AdmissionGate gate)
    {
        var request = input.Request;
        if (request.Operation != Operations.Connect) return null;
        foreach (var candidate in input.Approvals.ByFingerprint(gate.Fingerprint))
        {
            if (candidate.Spec.Requester.Username != request.UserInfo.Username || candidate.Spec.BreakGlass) continue;
            if (candidate.Status?.Usage is not { Count: > 0 } usage) continue;
            var last = usage[^1];
            var usedAt = new DateTimeOffset(DateTime.SpecifyKind(last.Time, DateTimeKind.Utc));
            if (last.By != request.UserInfo.Username || last.Operation != ApprovalUse.OperationText(request)) continue;
            if (input.Now < usedAt || input.Now - usedAt > RetryGrace) continue;
            var evaluation = Evaluate(candidate, input.Policies, input.Now);
            if (evaluation.Phase != RequestPhase.Consumed) continue;
            if (!gate.PolicyNames.All(p => candidate.Spec.Policies.Contains(p, StringComparer.Ordinal))) continue;
            return new UsedApproval(candidate, evaluation);
        }

        return null;
    }

    private sealed record Covering(ApprovalRequest Request, ApprovalEvaluation Evaluation, int Rank);

    /// <summary>
    /// The usable approval to spend on this request: one for this exact change first, then one for the object, then a
    /// grant; among equals the one whose window ends first, so longer ones stay available.
    /// </summary>
    private static Covering? FindCovering(AdmissionEngineInput input, AdmissionGate gate)
    {
        var request = input.Request;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        Covering? best = null;
        Consider(input.Approvals.ByFingerprint(gate.Fingerprint));
        Consider(input.Approvals.InChangeSets(gate.Fingerprint));
        if (request.Name.Length > 0) Consider(input.Approvals.ByObject(request.Resource.Group, request.Resource.Resource, request.Namespace, request.Name));
        Consider(input.Approvals.ByRequester(request.UserInfo.Username));
        return best;

        void Consider(IReadOnlyList<ApprovalRequest> candidates)
        {
            foreach (var candidate in candidates)
            {
                if (!seen.Add($"{candidate.Metadata?.NamespaceProperty}/{candidate.Metadata?.Name}")) continue;
                // Cheap checks before evaluating: same requester, every gating policy named, not finished for good.
                if (candidate.Spec.Requester.Username != request.UserInfo.Username) continue;
                if (candidate.Status?.Phase is RequestPhase.Denied or RequestPhase.Expired or RequestPhase.Consumed) continue;
                if (!gate.PolicyNames.All(p => candidate.Spec.Policies.Contains(p, StringComparer.Ordinal))) continue;
                var evaluation = Evaluate(candidate, input.Policies, input.Now);
                if (!ApprovalCoverage.Covers(candidate, evaluation, request, gate.PolicyNames, gate.Fingerprint, input.Settings.OperatorNamespace)) continue;
                var found = new Covering(candidate, evaluation, (int)candidate.Spec.Scope);
                if (best is null || IsBetter(found, best)) best = found;
            }
        }
    }

    private static bool IsBetter(Covering a, Covering b)
    {
        if (a.Rank != b.Rank) return a.Rank < b.Rank;
        var aEnd = a.Evaluation.ValidUntil ?? DateTimeOffset.MaxValue;
        var bEnd = b.Evaluation.ValidUntil ?? DateTimeOffset.MaxValue;
        if (aEnd != bEnd) return aEnd < bEnd;
        return string.CompareOrdinal(a.Request.Metadata?.Name, b.Request.Metadata?.Name) < 0;
    }

    /// <summary>
    /// The requester's Pending requests when they reach the cap (null below it): each gated change that finds no request
    /// makes one, so a loop of changes (or, without client authentication, forged calls in someone's name) would fill
    /// the cluster. A bound on noise, not a security control; break-glass records are never counted or refused.
    /// </summary>
    private static IReadOnlyList<ApprovalRequest>? TooManyPending(AdmissionEngineInput input)
    {
        var cap = input.Settings.MaxPendingPerRequester;
        if (cap <= 0) return null;
        var pending = PendingRequests.Of(input.Approvals.ByRequester(input.Request.UserInfo.Username), input.Now);
        return pending.Count >= cap ? pending : null;
    }

    /// <summary>Who holds a name in the namespace the change's request lives in.</summary>
    private static Func<string, ApprovalRequest?> HolderIn(AdmissionEngineInput input, AdmissionGate gate) =>
        name => input.Approvals.Get(gate.RequestNamespace, name);

    /// <summary>Requests for this very change in the namespace its request lives in: the candidates for its name.</summary>
    private static List<ApprovalRequest> SameChange(AdmissionEngineInput input, AdmissionGate gate, bool breakGlass) =>
        [.. input.Approvals.ByFingerprint(gate.Fingerprint)
            .Where(r => r.Metadata?.NamespaceProperty == gate.RequestNamespace && r.Spec.BreakGlass == breakGlass)];

    /// <summary>
    /// How a request holding a name counts for <see cref="RequestNaming.Choose(AdmissionAttributes, string, IEnumerable{ApprovalRequest}, Func{ApprovalRequest, ApprovalEvaluation}, DateTimeOffset, Func{string, ApprovalRequest?})"/>.
    /// One that no longer fits the change (a gating policy was added since, or a policy it names is gone, so approving it
    /// could never let the change through) counts as finished, so the change gets a fresh request instead of a dead end.
    /// A denial stays a denial.
    /// </summary>
    private static ApprovalEvaluation EvaluateForSlot(ApprovalRequest holder, AdmissionGate gate, AdmissionEngineInput input)
    {
        var evaluation = Evaluate(holder, input.Policies, input.Now);
        var stale = !gate.PolicyNames.All(p => holder.Spec.Policies.Contains(p, StringComparer.Ordinal)) || evaluation.MissingPolicies.Count > 0;
        if (!stale || evaluation.Phase == RequestPhase.Denied || evaluation.IsFinished) return evaluation;
        var retired = new ApprovalRequest { Metadata = holder.Metadata, Spec = holder.Spec, Status = new ApprovalRequestStatus { Phase = RequestPhase.Expired } };
        return Evaluate(retired, input.Policies, input.Now);
    }

    /// <summary>The spent approval of the previous attempt, when that is why this change needs a new request.</summary>
    private static UsedApproval? PreviouslyUsed(
        AdmissionAttributes request, AdmissionGate gate, RequestSlot slot, List<ApprovalRequest> sameChange, AdmissionEngineInput input)
    {
        if (slot.Attempt < 2) return null;
        var name = RequestNaming.Name(request, gate.Fingerprint, slot.Attempt - 1);
        var used = sameChange.FirstOrDefault(r => r.Metadata?.Name == name);
        if (used is null) return null;
        var evaluation = Evaluate(used, input.Policies, input.Now);
        return evaluation.Phase == RequestPhase.Consumed ? new UsedApproval(used, evaluation) : null;
    }

    /// <summary>An ApprovalRequest evaluated against the live policies it names.</summary>
    public static ApprovalEvaluation Evaluate(ApprovalRequest request, PolicySet policies, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(policies);
        var named = new List<ApprovalPolicy>(request.Spec.Policies.Count);
        foreach (var name in request.Spec.Policies)
            if (policies.Get(name) is { } compiled) named.Add(compiled.Policy);
        return ApprovalEvaluator.Evaluate(request, named, now);
    }

    /// <summary>The object's namespace; the operator's for cluster-scoped objects and for Namespaces themselves (a
    /// namespace being created does not exist yet, one being deleted accepts no new objects).</summary>
    private static string RequestNamespace(AdmissionAttributes request, string operatorNamespace) =>
        request.Namespace.Length == 0 || RequestScope.IsNamespaceObject(request) ? operatorNamespace : request.Namespace;

    internal static string PolicyNames(AdmissionGate gate) =>
        (gate.Policies.Count == 1 ? "policy " : "policies ") + string.Join(", ", gate.PolicyNames);

    private static DecidedPlan Decided(AdmissionVerdict verdict) => new(verdict);
}
