using System.Text.RegularExpressions;
using JitAdmission.Core.Api;
using JitAdmission.Core.Approval;
using JitAdmission.Core.Naming;
using static JitAdmission.Core.Tests.TestSupport.ApprovalFixtures;

namespace JitAdmission.Core.Tests.Naming;

public partial class RequestNamingTests
{
    private const string Fp = "3f2a9c1b7e0011223344556677889900aabbccddeeff00112233445566778899";

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex Dns1123Label();

    public static TheoryData<string, string, string, int, string> Names => new()
    {
        { "plain", "deployments", "web", 1, "deployments-web-3f2a9c1b7e" },
        { "second attempt", "deployments", "web", 2, "deployments-web-3f2a9c1b7e-2" },
        { "subresource", "pods/exec", "web-0", 1, "pods-exec-web-0-3f2a9c1b7e" },
        { "upper case and dots", "Deployments", "My.App_v2", 1, "deployments-my-app-v2-3f2a9c1b7e" },
        { "runs of invalid characters collapse", "configmaps", "a..--__b", 1, "configmaps-a-b-3f2a9c1b7e" },
        { "leading and trailing junk trimmed", "configmaps", "--x--", 1, "configmaps-x-3f2a9c1b7e" },
        { "empty name (generateName)", "pods", "", 1, "pods-3f2a9c1b7e" },
        { "nothing usable before the hash", "", "###", 3, "3f2a9c1b7e-3" },
        { "long name truncated, hash kept", "deployments", new string('a', 80), 1, "deployments-" + new string('a', 40) + "-3f2a9c1b7e" },
        { "truncation never leaves a dash before the hash", "deployments", new string('a', 39) + "-bbbbb", 12, "deployments-" + new string('a', 37) + "-3f2a9c1b7e-12" },
    };

    [Theory]
    [MemberData(nameof(Names))]
    public void Names_are_deterministic_dns_labels_ending_in_the_hash(string what, string resource, string name, int attempt, string expected)
    {
        var actual = RequestNaming.Name(resource, name, Fp, attempt);
        Assert.True(expected == actual, $"{what}: {actual}");
        Assert.True(actual.Length <= 63, $"{what}: {actual.Length}");
        Assert.Matches(Dns1123Label(), actual);
    }

    [Fact]
    public void Admission_requests_name_their_resource_with_subresource() =>
        Assert.Equal("deployments-scale-web-3f2a9c1b7e", RequestNaming.Name(Change(subResource: "scale"), Fp));

    private static ApprovalRequest Existing(int attempt, RequestPhase phase, DateTimeOffset? created = null, string fingerprint = Fp)
    {
        var request = Request(["prod"], created: created);
        request.Metadata.Name = RequestNaming.Name("deployments", "web", Fp, attempt);
        request.Spec.Fingerprint = fingerprint;
        request.Status = new ApprovalRequestStatus { Phase = phase, Message = phase.ToString() };
        if (phase == RequestPhase.Denied) request.Spec.Reviews.Add(Deny("bob", At(1), "no", "sre"));
        if (phase == RequestPhase.Approved) request.Spec.Reviews.Add(Approve("bob", At(1), "sre"));
        if (phase == RequestPhase.Pending) request.Status = null;
        return request;
    }

    public static TheoryData<string, ApprovalRequest[], RequestSlotKind, int> Slots => new()
    {
        { "none yet: create the first", [], RequestSlotKind.Create, 1 },
        { "pending: reuse it", [Existing(1, RequestPhase.Pending)], RequestSlotKind.Reuse, 1 },
        { "approved and usable: reuse it", [Existing(1, RequestPhase.Approved)], RequestSlotKind.Reuse, 1 },
        { "consumed: next attempt", [Existing(1, RequestPhase.Consumed)], RequestSlotKind.Create, 2 },
        { "expired: next attempt", [Existing(1, RequestPhase.Expired)], RequestSlotKind.Create, 2 },
        { "denied within its TTL: the denial is the answer", [Existing(1, RequestPhase.Denied)], RequestSlotKind.Denied, 1 },
        { "denied past its TTL: next attempt", [Existing(1, RequestPhase.Denied, created: At(-61))], RequestSlotKind.Create, 2 },
        { "several finished, then pending", [Existing(1, RequestPhase.Consumed), Existing(2, RequestPhase.Expired), Existing(3, RequestPhase.Pending)], RequestSlotKind.Reuse, 3 },
        { "several finished", [Existing(2, RequestPhase.Consumed), Existing(1, RequestPhase.Consumed)], RequestSlotKind.Create, 3 },
        { "hash-prefix collision with another change: skip it", [Existing(1, RequestPhase.Pending, fingerprint: "other")], RequestSlotKind.Create, 2 },
    };

    public static TheoryData<string, ApprovalRequest[], int> Squatted => new()
    {
        { "a request made ahead of time under the name (no fingerprint): skipped", [Squatter(1, fingerprint: "")], 2 },
        { "the same fingerprint claimed by someone else: skipped", [Squatter(1, requester: "mallory")], 2 },
        { "several names squatted: every one skipped, never retried", [Squatter(1, fingerprint: ""), Squatter(2, fingerprint: ""), Squatter(3, requester: "mallory")], 4 },
    };

    /// <summary>
    /// Names are predictable, so anyone may create a request under the next name first: the gate must not keep trying
    /// that name (it did: 32 rounds, then "kept changing", for good), but move past it.
    /// </summary>
    [Theory]
    [MemberData(nameof(Squatted))]
    public void A_name_someone_else_holds_is_skipped_not_retried(string what, ApprovalRequest[] squatters, int attempt)
    {
        var policy = Policy("prod", Group("sre"));
        var byName = squatters.ToDictionary(r => r.Metadata.Name);

        var slot = RequestNaming.Choose("deployments", "web", Fp, "alice", [], r => ApprovalEvaluator.Evaluate(r, [policy], At(2)), At(2),
            holderOf: byName.GetValueOrDefault);

        Assert.True((RequestSlotKind.Create, attempt) == (slot.Kind, slot.Attempt), $"{what}: {slot.Kind} {slot.Attempt}");
    }

    private static ApprovalRequest Squatter(int attempt, string fingerprint = Fp, string requester = "alice")
    {
        var request = Existing(attempt, RequestPhase.Pending, fingerprint: fingerprint);
        request.Spec.Requester.Username = requester;
        return request;
    }

    [Theory]
    [MemberData(nameof(Slots))]
    public void Chooses_the_attempt_from_the_existing_requests(string what, ApprovalRequest[] existing, RequestSlotKind kind, int attempt)
    {
        var policy = Policy("prod", Group("sre"));
        var slot = RequestNaming.Choose("deployments", "web", Fp, "alice", existing, r => ApprovalEvaluator.Evaluate(r, [policy], At(2)), At(2));

        Assert.True((kind, attempt) == (slot.Kind, slot.Attempt), $"{what}: {slot.Kind} {slot.Attempt}");
        Assert.Equal(RequestNaming.Name("deployments", "web", Fp, attempt), slot.Name);
        Assert.Equal(kind != RequestSlotKind.Create, slot.Existing is not null);
    }
}
