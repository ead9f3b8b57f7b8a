using System.Text.Json;
using JitAdmission.Core.Admission;
using JitAdmission.Core.Api;
using static JitAdmission.Webhook.Tests.Guard.GuardWorld;

namespace JitAdmission.Webhook.Tests.Guard;

/// <summary><c>/guard</c> and <c>/mutate</c> on jit-admission's own resources.</summary>
public sealed class GuardHandlerTests : IDisposable
{
    private readonly GuardWorld _world = new();

    public void Dispose() => _world.Dispose();

    private ValueTask<AdmissionVerdict> Guard(AdmissionAttributes request) => _world.Guard.HandleAsync(request, CancellationToken.None);

    [Fact]
    public async Task A_policy_with_errors_is_refused_listing_every_one()
    {
        var policy = Policy("broken", """{"approvers":[{"groups":["sre"]}],"wait":"30s","requestTTL":"soon"}""");

        var verdict = await Guard(Write("CREATE", ApiConstants.PolicyPlural, policy, null, "admin", ["system:masters"]));

        Assert.False(verdict.Allowed);
        Assert.Equal((422, "Invalid"), (verdict.Code, verdict.Reason));
        Assert.StartsWith("ApprovalPolicy broken is not accepted (2 problems):\n- spec.approval.requestTTL", verdict.Message, StringComparison.Ordinal);
        Assert.Contains("- spec.approval.wait: 30s exceeds the maximum of 25s", verdict.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_valid_policy_passes_and_one_naming_our_own_group_is_warned_about()
    {
        var valid = await Guard(Write("UPDATE", ApiConstants.PolicyPlural, Policy("ok", """{"approvers":[{"groups":["sre"]}]}"""), null, "admin", []));
        var ours = Policy("ours", """{"approvers":[{"groups":["sre"]}]}""").Replace("\"apps\"", "\"jitadmission.io\"", StringComparison.Ordinal);
        var warned = await Guard(Write("CREATE", ApiConstants.PolicyPlural, ours, null, "admin", []));

        Assert.Same(AdmissionVerdict.Allow, valid);
        Assert.True(warned.Allowed);
        Assert.Contains(warned.Warnings, w => w.Contains("rules for the jitadmission.io API group are ignored", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Reviews_are_checked_against_who_adds_them()
    {
        var approveAsBob = Request("""[{"reviewer":"bob","decision":"Approve","groups":["sre"],"time":"2026-03-01T12:00:00Z"}]""");

        var byBob = await Guard(Write("UPDATE", ApiConstants.RequestPlural, approveAsBob, Request(), "bob", ["sre"]));
        var byAlice = await Guard(Write("UPDATE", ApiConstants.RequestPlural, approveAsBob, Request(), "alice", ["devs"]));

        Assert.Same(AdmissionVerdict.Allow, byBob);
        Assert.False(byAlice.Allowed);
        Assert.Equal(403, byAlice.Code);
        Assert.Contains("reviewer must be your own username \"alice\", not \"bob\"", byAlice.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_request_made_ahead_of_time_must_be_for_its_creator()
    {
        var forAlice = Request(withReviews: false).Replace($"\"fingerprint\":\"{new string('a', 64)}\",", "", StringComparison.Ordinal)
            .Replace("\"Exact\"", "\"Grant\"", StringComparison.Ordinal);

        var byCarol = await Guard(Write("CREATE", ApiConstants.RequestPlural, forAlice, null, "carol", ["security"]));
        var byOperator = await Guard(Write("CREATE", ApiConstants.RequestPlural, Request(), null, Operator, []));

        Assert.False(byCarol.Allowed);
        Assert.Contains("spec.requester.username must be your own username \"carol\"", byCarol.Message, StringComparison.Ordinal);
        Assert.Same(AdmissionVerdict.Allow, byOperator);
    }

    [Fact]
    public async Task A_request_can_be_deleted_only_by_jit_admission_or_with_its_namespace()
    {
        var byBob = await Guard(Write("DELETE", ApiConstants.RequestPlural, null, Request(), "bob", ["sre"]));
        var byAdmin = await Guard(Write("DELETE", ApiConstants.RequestPlural, null, Request(), "admin", ["system:masters"]));
        var byOperator = await Guard(Write("DELETE", ApiConstants.RequestPlural, null, Request(), Operator, []));
        var byNamespaceController = await Guard(Write("DELETE", ApiConstants.RequestPlural, null, Request(), Core.Guard.RequestGuard.NamespaceController, []));
        var aPolicy = await Guard(Write("DELETE", ApiConstants.PolicyPlural, null, Policy("prod", "{}"), "admin", ["system:masters"]));

        Assert.False(byBob.Allowed);
        Assert.Contains("ApprovalRequests are records and cannot be deleted by \"bob\"", byBob.Message, StringComparison.Ordinal);
        Assert.False(byAdmin.Allowed);
        Assert.True(byOperator.Allowed);
        Assert.True(byNamespaceController.Allowed);
        Assert.True(aPolicy.Allowed, "who may delete policies is RBAC's business");
        await _world.Audit.DisposeAsync();
        var lines = System.Text.Encoding.UTF8.GetString(_world.AuditLines.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal([("bob", false), ("admin", false), (Operator, true), (Core.Guard.RequestGuard.NamespaceController, true)],
            lines.Select(l => (l.GetProperty("by").GetString(), l.GetProperty("allowed").GetBoolean())));
        Assert.All(lines, l => Assert.Equal("deletion", l.GetProperty("event").GetString()));
    }

    [Fact]
    public async Task A_requester_at_the_cap_of_pending_requests_cannot_make_another_ahead_of_time()
    {
        _world.Gate.MaxPendingPerRequester = 1;
        var pending = k8s.KubernetesJson.Deserialize<ApprovalRequest>(Request());
        _world.Requests.Upsert(pending);
        var grant = Request(withReviews: false).Replace($"\"fingerprint\":\"{new string('a', 64)}\",", "", StringComparison.Ordinal)
            .Replace("\"Exact\"", "\"Grant\"", StringComparison.Ordinal).Replace("deployments-web-0123456789", "alice-grant", StringComparison.Ordinal);

        var refused = await Guard(Write("CREATE", ApiConstants.RequestPlural, grant, null, "alice", ["devs"]));

        Assert.False(refused.Allowed);
        Assert.Contains("\"alice\" already has 1 pending approval requests (at most 1 per requester)", refused.Message, StringComparison.Ordinal);
        _world.Gate.MaxPendingPerRequester = 2;
        Assert.DoesNotContain("pending approval requests", (await Guard(Write("CREATE", ApiConstants.RequestPlural, grant, null, "alice", ["devs"]))).Message ?? "",
            StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_policy_not_in_the_cache_yet_is_looked_up_and_a_failed_lookup_is_an_error_not_absence()
    {
        var named = Request().Replace("[\"prod\"]", "[\"brand-new\"]", StringComparison.Ordinal);

        await Assert.ThrowsAnyAsync<InvalidOperationException>(async () =>
            await Guard(Write("UPDATE", ApiConstants.RequestPlural, named, named, "alice", ["devs"])));
    }

    [Fact]
    public async Task Only_jit_admission_writes_the_status()
    {
        var byAlice = await Guard(Write("UPDATE", ApiConstants.RequestPlural, Request(), Request(), "alice", ["devs"], subResource: "status"));
        var byOperator = await Guard(Write("UPDATE", ApiConstants.RequestPlural, Request(), Request(), Operator, [], subResource: "status"));

        Assert.False(byAlice.Allowed);
        Assert.Contains("written only by jit-admission, not by \"alice\"", byAlice.Message, StringComparison.Ordinal);
        Assert.Same(AdmissionVerdict.Allow, byOperator);
    }

    /// <summary>Found by RequestGuardFuzzTests: a null where the model has an object made the guard throw; now it names it.</summary>
    [Theory]
    [InlineData("\"requester\":{\"username\":\"alice\",\"groups\":[\"devs\"]}", "\"requester\":null", "spec.requester is null or missing")]
    [InlineData("\"policies\":[\"prod\"]", "\"policies\":null", "spec.policies is null or missing")]
    [InlineData("\"reviews\":[]", "\"reviews\":[null]", "spec.reviews is null or missing")]
    public async Task A_null_in_a_part_the_guard_reads_is_refused_by_name(string part, string nulled, string message)
    {
        var updated = Request().Replace(part, nulled, StringComparison.Ordinal);
        Assert.NotEqual(Request(), updated);

        var verdict = await Guard(Write("UPDATE", ApiConstants.RequestPlural, updated, Request(), "mallory", ["devs"]));

        Assert.False(verdict.Allowed);
        Assert.Equal((422, "Invalid"), (verdict.Code, verdict.Reason));
        Assert.Contains(message, verdict.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreadable_object_is_refused_with_a_message_kubectl_shows()
    {
        var verdict = await Guard(Write("CREATE", ApiConstants.RequestPlural, """{"metadata":{"name":"x"},"spec":{"policies":"not-a-list"}}""", null, "alice", []));

        Assert.False(verdict.Allowed);
        Assert.Equal((422, "Invalid"), (verdict.Code, verdict.Reason));
        Assert.StartsWith("cannot read the approvalrequests object", verdict.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_stamp_replaces_claimed_groups_and_sets_the_time_of_new_reviews_only()
    {
        var old = Request("""[{"reviewer":"carol","decision":"Approve","groups":["security"],"time":"2026-03-01T11:00:00Z"}]""");
        var updated = Request("""[{"reviewer":"carol","decision":"Approve","groups":["security"],"time":"2026-03-01T11:00:00Z"},{"reviewer":"bob","decision":"Approve","groups":["admins"]}]""");

        var verdict = await _world.Stamp.HandleAsync(Write("UPDATE", ApiConstants.RequestPlural, updated, old, "bob", ["sre", "system:authenticated"]), CancellationToken.None);

        Assert.True(verdict.Allowed);
        using var patch = JsonDocument.Parse(verdict.JsonPatch!);
        Assert.Equal(
            """[{"op":"add","path":"/spec/reviews/1/groups","value":["sre","system:authenticated"]},{"op":"add","path":"/spec/reviews/1/time","value":"2026-03-01T12:00:00Z"}]""",
            patch.RootElement.GetRawText());
    }

    [Fact]
    public async Task The_stamp_gives_a_request_without_reviews_an_empty_list_to_append_to()
    {
        var verdict = await _world.Stamp.HandleAsync(Write("CREATE", ApiConstants.RequestPlural, Request(withReviews: false), null, "alice", ["devs"]), CancellationToken.None);
        var untouched = await _world.Stamp.HandleAsync(Write("CREATE", ApiConstants.RequestPlural, Request(), null, "alice", ["devs"]), CancellationToken.None);

        Assert.Equal("""[{"op":"add","path":"/spec/reviews","value":[]}]""", System.Text.Encoding.UTF8.GetString(verdict.JsonPatch!));
        Assert.Same(AdmissionVerdict.Allow, untouched);
    }
}
