using JitAdmission.Core.Changes;
using JitAdmission.Core.Messages;
using JitAdmission.Core.Naming;

namespace JitAdmission.Core.Admission;

/// <summary>
/// Helm releases (docs/semantics.md "Helm releases"): the record Helm writes before a revision's objects is where the
/// revision is asked for as one change set, and each object Helm then applies is let through by that set when it is
/// exactly the approved manifest object.
/// </summary>
public static partial class AdmissionEngine
{
    private const string HelmPrefix = "helm-";

    /// <summary>
    /// The plan for a Helm release record: null when it is not a pending record of someone gated, or none of its objects
    /// is gated (the record then goes through the normal path); otherwise allow it (an approved set of this very revision
    /// content), hold on the pending set, or create the set. A record that cannot be read fails closed.
    /// </summary>
    private static AdmissionPlan? PlanHelmRecord(AdmissionEngineInput input)
    {
        var request = input.Request;
        if (input.IsOperator || input.Settings.Trusted.Contains(request.UserInfo)) return null;
        var release = HelmRelease.TryRead(request, out var unreadable);
        if (unreadable is not null)
            return input.Policies.All.Any(p => p.Enforcement == Enforcement.Enforce)
                ? Decided(GateVerdicts.CouldNotDecide([], unreadable))
                : null;
        if (release is null) return null;

        var requester = request.UserInfo.Username;
        var gated = new List<ChangeSetObject>();
        var policies = new Dictionary<string, ApprovalPolicy>(StringComparer.Ordinal);
        foreach (var entry in HelmChangeSet.Entries(release, requester))
        {
            var enforce = GatingPolicies(input, entry);
            if (enforce.Count == 0) continue;
            gated.Add(entry);
            foreach (var p in enforce) policies.TryAdd(p.Metadata.Name, p);
        }

        if (gated.Count == 0) return null;
        if (gated.Count > ChangeSets.MaxObjects)
            return Decided(GateVerdicts.CouldNotDecide([], $"Helm release {release.Name} writes {gated.Count} gated objects, more than the "
                + $"{ChangeSets.MaxObjects} one approval can hold; split the chart or ask the cluster admin"));

        var digest = HelmChangeSet.Digest(release, gated);
        var ordered = policies.Values.OrderBy(p => p.Metadata.Name, StringComparer.Ordinal).ToList();
        var gate = new AdmissionGate(ordered, EffectiveApproval.From(ordered), digest, release.Namespace);
        var sameContent = input.Approvals.ByFingerprint(digest)
            .Where(r => r.Spec.ChangeSet?.Helm is not null && r.Spec.Requester.Username == requester && r.Metadata?.NamespaceProperty == release.Namespace)
            .ToList();
        foreach (var set in sameContent)
        {
            var evaluation = Evaluate(set, input.Policies, input.Now);
            if (evaluation.IsUsable && gate.PolicyNames.All(p => set.Spec.Policies.Contains(p, StringComparer.Ordinal)))
                return Decided(GateVerdicts.HelmReleaseAllowed(gate, set));
        }

        var slot = RequestNaming.Choose(HelmPrefix + "release", release.Name, digest, requester, sameContent,
            r => EvaluateForSlot(r, gate, input), input.Now, HolderIn(input, gate));
        switch (slot.Kind)
        {
            case RequestSlotKind.Denied:
                return Decided(GateVerdicts.Denied(gate, [], [], slot.Existing, Outcomes.Deny,
                    AdmissionMessages.Denied(request, slot.Existing!, slot.Evaluation!)) with { Denial = GateDenial.For(DenialKind.Denied, slot.Existing) });
            case RequestSlotKind.Reuse:
                return new HoldPlan(gate, slot.Existing!, slot.Evaluation!, gate.Effective.Wait, null);
            default:
                if (TooManyPending(input) is { } pending)
                    return Decided(GateVerdicts.Denied(gate, [], [], null, Outcomes.Deny, AdmissionMessages.TooManyPending(request, pending, input.Settings.MaxPendingPerRequester))
                        with { Denial = new GateDenial(DenialKind.TooManyPending) });
                return new CreatePlan(gate, ApprovalRequestDraft.ForHelmRelease(request, release, gate, gated, slot.Name), gate.Effective.Wait, null);
        }
    }

    /// <summary>The Enforce policies that gate the entry's object written by the requester (as a create or an update).</summary>
    private static List<ApprovalPolicy> GatingPolicies(AdmissionEngineInput input, ChangeSetObject entry)
    {
        var found = new List<ApprovalPolicy>();
        foreach (var operation in new[] { Operations.Create, Operations.Update })
        {
            var attributes = ChangeSets.Attributes(entry, input.Request.UserInfo, operation);
            foreach (var evaluation in PolicyEvaluator.EvaluateApplicable(input.Policies, attributes, input.Cluster, input.Now))
            {
                // A policy that fails to evaluate would refuse the write anyway: asking for it here shows it to approvers.
                if (evaluation.Policy.Enforcement == Enforcement.Enforce && evaluation.Outcome is PolicyOutcome.Matched or PolicyOutcome.Error
                    && found.All(p => p.Metadata.Name != evaluation.Policy.Name))
                    found.Add(evaluation.Policy.Policy);
            }
        }

        return found;
    }

    /// <summary>
    /// An approved Helm change set of the requester's with an unused entry for this object, which the write applies
    /// exactly (<see cref="HelmChangeSet.Mismatch"/>); null when none.
    /// </summary>
    private static ConsumePlan? HelmCovering(AdmissionEngineInput input, AdmissionGate gate, List<string> warnings)
    {
        var request = input.Request;
        if (request.Name.Length == 0 || request.SubResource.Length > 0 || request.Operation is not (Operations.Create or Operations.Update)) return null;
        foreach (var set in input.Approvals.ChangeSetsFor(request.Resource.Group, request.Resource.Resource, request.Namespace, request.Name))
        {
            if (set.Spec.Requester.Username != request.UserInfo.Username || set.Spec.ChangeSet?.Helm is null) continue;
            if (set.Status?.Phase is RequestPhase.Denied or RequestPhase.Expired or RequestPhase.Consumed) continue;
            if (!gate.PolicyNames.All(p => set.Spec.Policies.Contains(p, StringComparer.Ordinal))) continue;
            var evaluation = Evaluate(set, input.Policies, input.Now);
            if (!evaluation.IsUsable) continue;
            foreach (var entry in set.Spec.ChangeSet.Objects)
            {
                if (entry.Operation != "APPLY" || ChangeSets.IsUsed(set, entry.Fingerprint)) continue;
                var mismatch = HelmChangeSet.Mismatch(entry, request);
                if (mismatch is null) return new ConsumePlan(gate, set, evaluation) { UsedEntry = entry.Fingerprint };
                if (mismatch != HelmChangeSet.AnotherObject)
                    warnings.Add($"this is not the object approved in approvalrequest {set.Metadata.NamespaceProperty}/{set.Metadata.Name} "
                        + $"(Helm release {set.Spec.ChangeSet.Helm.Release}): {mismatch}");
            }
        }

        return null;
    }
}
