using JitAdmission.Core.Api;
using JitAdmission.Integration.Tests.EndToEnd;
using k8s;

namespace JitAdmission.Integration.Tests.Faults;

/// <summary>
/// The invariants every fault scenario ends with, read from the API server (not from any log): each approval used at
/// most as often as it may be, each use recorded once with its admission uid, no use without an approving review,
/// and each stored ConfigMap of the scenario covered by one use.
/// </summary>
internal static class Ledger
{
    public const string UsesBounded = "uses ≤ maxUses";
    public const string UsesRecorded = "each use recorded once";
    public const string UsesApproved = "no use without an approval";
    public const string StoredCovered = "stored changes = uses";

    public const string PhaseConsistent = "phase consistent with reviews; every review stamped";
    public const string NoneUnrecorded = "stored ≤ uses ≤ stored + failed calls";

    /// <summary>The ConfigMaps named <paramref name="prefix"/>* the API server holds in the namespace.</summary>
    public static async Task<int> StoredAsync(JitCluster cluster, string @namespace, string prefix) =>
        (await JitCluster.ServedAsync(() => cluster.Admin.CoreV1.ListNamespacedConfigMapAsync(@namespace))).Items
            .Count(c => c.Metadata.Name.StartsWith(prefix, StringComparison.Ordinal));

    /// <summary>Checks the namespace's ApprovalRequests and ConfigMaps named <paramref name="prefix"/>*; returns the uses.</summary>
    public static async Task<int> CheckAsync(JitCluster cluster, string @namespace, string prefix, FaultTally tally, bool creates)
    {
        var requests = await cluster.RequestsAsync(@namespace);
        var uses = 0;
        foreach (var request in requests)
        {
            // The review history is complete (the webhook stamped who, with which groups, when), and the phase agrees
            // with it: nothing is Approved, Consumed or Denied without a review that says so.
            var reviews = request.Spec.Reviews;
            Assert.All(reviews, r => Assert.True(r.Reviewer.Length > 0 && r.Time is not null && r.Groups is not null,
                $"{request.Metadata.Name}: a review of {r.Reviewer} without its stamp"));
            var phase = request.Status?.Phase;
            if (phase is RequestPhase.Approved or RequestPhase.Consumed)
                Assert.True(request.Spec.BreakGlass || reviews.Any(r => r.Decision == ReviewDecision.Approve), $"{request.Metadata.Name} is {phase} without an approval");
            if (phase is RequestPhase.Denied)
                Assert.True(reviews.Any(r => r.Decision == ReviewDecision.Deny), $"{request.Metadata.Name} is Denied without a denial");
            if (phase is RequestPhase.BreakGlass) Assert.True(request.Spec.BreakGlass, $"{request.Metadata.Name} is BreakGlass but not a break-glass record");

            var status = request.Status;
            if (status is null || status.Uses == 0) continue;
            var name = request.Metadata.Name;
            uses += status.Uses;
            if (status.MaxUses > 0) Assert.True(status.Uses <= status.MaxUses, $"{name} used {status.Uses} times, at most {status.MaxUses} allowed");
            // Usage keeps a bounded history; within it no admission is counted twice.
            Assert.True(status.Usage.Count == Math.Min(status.Uses, JitAdmission.Core.Approval.ApprovalUse.UsageHistory), $"{name}: {status.Uses} uses but {status.Usage.Count} usage records");
            Assert.True(status.Usage.Select(u => u.AdmissionUid).Distinct(StringComparer.Ordinal).Count() == status.Usage.Count, $"{name}: an admission counted twice");
            Assert.True(request.Spec.Reviews.Any(r => r.Decision == ReviewDecision.Approve) || request.Spec.BreakGlass,
                $"{name} was used without an approving review");
        }

        var stored = await StoredAsync(cluster, @namespace, prefix);
        // Creates: every stored ConfigMap took one use. Patches of one ConfigMap: it exists once, changed by the uses.
        if (creates) Assert.True(stored == uses, $"{stored} ConfigMaps stored, {uses} uses recorded");
        foreach (var invariant in creates ? new[] { UsesBounded, UsesRecorded, UsesApproved, PhaseConsistent, StoredCovered } : [UsesBounded, UsesRecorded, UsesApproved, PhaseConsistent])
            if (!tally.Invariants.Contains(invariant)) tally.Invariants.Add(invariant);
        return uses;
    }
}
