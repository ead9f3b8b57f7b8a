using JitAdmission.Core.Gate;
using JitAdmission.Core.Admission;
using JitAdmission.Core.Api;
using JitAdmission.Kubernetes.Api;
using JitAdmission.Webhook.Gating;

namespace JitAdmission.Webhook.Tests.Gating;

/// <summary>The gate carrying out the engine's plans against the API (in memory) and the cache, on a fake clock.</summary>
public sealed class GateHandlerTests : IDisposable
{
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(29);

    private readonly GateWorld _world = new();

    public void Dispose() => _world.Dispose();

    [Fact]
    public async Task A_request_no_policy_matches_is_allowed_at_once()
    {
        var pending = _world.Handler.HandleAsync(GateWorld.Update(3, @namespace: "dev"), Budget, CancellationToken.None);

        Assert.True(pending.IsCompletedSuccessfully, "answered synchronously");
        Assert.Same(AdmissionVerdict.Allow, await pending);
        Assert.Empty(_world.Store.All);
    }

    [Fact]
    public async Task Until_the_caches_are_loaded_every_request_fails_closed()
    {
        _world.Loaded = false;

        var verdict = await _world.Handler.HandleAsync(GateWorld.Update(3, @namespace: "dev"), Budget, CancellationToken.None);

        Assert.False(verdict.Allowed);
        Assert.Contains("has not loaded the policies", verdict.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_held_call_that_nobody_approves_ends_with_how_to_approve_before_the_deadline()
    {
        var call = _world.Call(GateWorld.Update(3), Budget);
        await _world.UntilHeldAsync();
        var request = Assert.Single(_world.Store.All);

        _world.Clock.Advance(TimeSpan.FromSeconds(19));
        Assert.False(call.IsCompleted, "held for the policy's wait (20s)");
        _world.Clock.Advance(TimeSpan.FromSeconds(1));
        var verdict = await call;

        Assert.False(verdict.Allowed);
        Assert.Equal(Outcomes.Hold, verdict.Outcome);
        Assert.Contains("UPDATE deployments prod/web is still not approved after waiting 20s (policy prod)", verdict.Message, StringComparison.Ordinal);
        Assert.Contains($"kubectl jit approve {request.Metadata.Name} -n prod", verdict.Message, StringComparison.Ordinal);
        Assert.Equal(0, _world.Waiters.Count);
    }

    [Fact]
    public async Task The_hold_ends_a_margin_before_the_transport_deadline_when_that_comes_first()
    {
        var call = _world.Call(GateWorld.Update(3), TimeSpan.FromSeconds(6));
        await _world.UntilHeldAsync();

        _world.Clock.Advance(TimeSpan.FromSeconds(6) - GateMachine.HoldMargin);
        var verdict = await call;

        Assert.Contains("is still not approved after waiting 5s", verdict.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_approval_during_the_hold_lets_the_call_through_and_records_one_use()
    {
        var call = _world.Call(GateWorld.Update(3), Budget);
        await _world.UntilHeldAsync();
        var request = Assert.Single(_world.Store.All);

        _world.Clock.Advance(TimeSpan.FromSeconds(3));
        _world.Approve(request);
        var verdict = await call;

        Assert.True(verdict.Allowed);
        Assert.Equal(Outcomes.Consume, verdict.Outcome);
        Assert.Equal($"prod/{request.Metadata.Name}", verdict.AuditAnnotations["request"]);
        Assert.Equal("bob", verdict.AuditAnnotations["approvers"]);
        var used = _world.Store.Find("prod", request.Metadata.Name)!;
        Assert.Equal(RequestPhase.Consumed, used.Status?.Phase);
        Assert.Equal(1, used.Status?.Uses);
        Assert.Equal("uid-1", Assert.Single(used.Status!.Usage).AdmissionUid);
        // Read-your-writes: the cache already holds the use, before any watch event.
        Assert.Equal(1, _world.Requests.Get("prod", request.Metadata.Name)?.Status?.Uses);
    }

    [Fact]
    public async Task Every_gated_decision_is_one_json_audit_line_and_a_plain_allow_none()
    {
        await _world.Handler.HandleAsync(GateWorld.Update(3, @namespace: "dev"), Budget, CancellationToken.None);
        var call = _world.Call(GateWorld.Update(3), Budget);
        await _world.UntilHeldAsync();
        var request = Assert.Single(_world.Store.All);
        _world.Approve(request);
        Assert.True((await call).Allowed);
        await _world.Audit.DisposeAsync();

        var lines = System.Text.Encoding.UTF8.GetString(_world.AuditLines.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var line = System.Text.Json.JsonDocument.Parse(Assert.Single(lines)).RootElement;
        Assert.Equal("jit-admission", line.GetProperty("audit").GetString());
        Assert.Equal("admission", line.GetProperty("event").GetString());
        Assert.Equal(("alice", "UPDATE", "deployments", "prod", "web"), (line.GetProperty("user").GetString(), line.GetProperty("operation").GetString(),
            line.GetProperty("resource").GetString(), line.GetProperty("namespace").GetString(), line.GetProperty("name").GetString()));
        Assert.Equal((true, Outcomes.Consume, "bob"), (line.GetProperty("allowed").GetBoolean(), line.GetProperty("outcome").GetString(), line.GetProperty("approvers").GetString()));
        Assert.Equal($"prod/{request.Metadata.Name}", line.GetProperty("approvalRequest").GetString());
    }

    [Fact]
    public async Task A_denial_during_the_hold_ends_it_with_the_denial()
    {
        var call = _world.Call(GateWorld.Update(3), Budget);
        await _world.UntilHeldAsync();

        _world.Approve(Assert.Single(_world.Store.All), decision: ReviewDecision.Deny);
        var verdict = await call;

        Assert.False(verdict.Allowed);
        Assert.Contains("was denied by bob", verdict.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_single_use_taken_by_another_replica_meanwhile_is_not_taken_again()
    {
        var held = _world.Call(GateWorld.Update(3), Budget);
        await _world.UntilHeldAsync();
        var request = Assert.Single(_world.Store.All);
        _world.Approve(request);
        Assert.True((await held).Allowed);

        // Approved again for a retry: another replica uses it first; this cache has not seen that yet.
        var name = request.Metadata.Name;
        _world.Store.WriteBehindTheCache("prod", name, r => (r.Status!.Phase, r.Status.Uses) = (RequestPhase.Approved, 0));
        _world.Requests.Upsert(_world.Store.Find("prod", name)!);
        _world.Store.WriteBehindTheCache("prod", name, r => (r.Status!.Phase, r.Status.Uses) = (RequestPhase.Consumed, 1));

        var retry = _world.Call(GateWorld.Update(3, uid: "uid-2"), TimeSpan.FromSeconds(2));
        await _world.UntilHeldAsync();
        _world.Clock.Advance(TimeSpan.FromSeconds(1));
        var verdict = await retry;

        Assert.False(verdict.Allowed);
        Assert.Equal(1, _world.Store.Find("prod", name)!.Status!.Uses);
        Assert.NotNull(_world.Store.Find("prod", name + "-2"));
        Assert.Contains($"ApprovalRequest {name}-2 in namespace prod", verdict.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_held_call_tells_the_controller_it_is_there_until_its_use_is_written()
    {
        var held = _world.Waiters;
        var call = _world.Call(GateWorld.Update(3), Budget);
        await _world.UntilHeldAsync();
        var name = Assert.Single(_world.Store.All).Metadata.Name;
        Assert.True(held.AnyFor("prod", name));
        Assert.False(held.AnyFor("prod", name + "-2"));

        // Woken by the approval and no longer waiting, but its use is still on the way: the controller must still know.
        var release = new TaskCompletionSource();
        _world.Store.HoldStatusWrites = release.Task;
        _world.Approve(_world.Store.Find("prod", name)!);
        await GateWorld.UntilAsync(() => _world.Store.WaitingWrites == 1, "the use's write waits");
        Assert.True(held.AnyFor("prod", name));
        release.SetResult();

        Assert.True((await call).Allowed);
        Assert.False(held.AnyFor("prod", name));
    }

    [Fact]
    public async Task A_use_lost_to_a_write_the_cache_already_holds_is_taken_from_it_at_once_without_a_read()
    {
        var first = _world.Call(GateWorld.Update(3), Budget);
        await _world.UntilHeldAsync();
        var request = Assert.Single(_world.Store.All);
        // The use's write waits; meanwhile the controller marks the request Approved and the watch brings that in.
        var release = new TaskCompletionSource();
        _world.Store.HoldStatusWrites = release.Task;
        _world.Approve(request);
        await GateWorld.UntilAsync(() => _world.Store.WaitingWrites == 1, "the use's write waits");
        var approved = _world.Store.WriteBehindTheCache("prod", request.Metadata.Name, r => (r.Status ??= new()).Phase = RequestPhase.Approved);
        _world.Requests.Upsert(approved);
        release.SetResult();

        var verdict = await first;

        Assert.True(verdict.Allowed, verdict.Message);
        Assert.Equal(0, _world.Store.Reads);
        Assert.Equal(2, _world.Store.StatusWrites);
        Assert.Equal(1, _world.Store.Find("prod", request.Metadata.Name)!.Status!.Uses);
    }

    [Fact]
    public async Task Two_calls_racing_for_one_single_use_approval_let_exactly_one_through()
    {
        var first = _world.Call(GateWorld.Update(3), Budget);
        await _world.UntilHeldAsync();
        var request = Assert.Single(_world.Store.All);
        _world.Approve(request);
        Assert.True((await first).Allowed);
        // Usable again (as if approved for a second go) and both calls read the same version from the cache.
        _world.Store.WriteBehindTheCache("prod", request.Metadata.Name, r => (r.Status!.Phase, r.Status.Uses) = (RequestPhase.Approved, 0));
        _world.Requests.Upsert(_world.Store.Find("prod", request.Metadata.Name)!);
        var release = new TaskCompletionSource();
        _world.Store.HoldStatusWrites = release.Task;

        var a = _world.Call(GateWorld.Update(3, uid: "a"), TimeSpan.FromSeconds(3));
        var b = _world.Call(GateWorld.Update(3, uid: "b"), TimeSpan.FromSeconds(3));
        release.SetResult();
        await _world.UntilHeldAsync();
        _world.Clock.Advance(TimeSpan.FromSeconds(2));
        var verdicts = await Task.WhenAll(a, b);

        Assert.Single(verdicts, v => v.Allowed);
        Assert.Single(verdicts, v => !v.Allowed && v.Message!.Contains("was already used", StringComparison.Ordinal));
        Assert.Equal(1, _world.Store.Find("prod", request.Metadata.Name)!.Status!.Uses);
    }

    [Fact]
    public async Task A_dozen_calls_sharing_one_grant_at_once_all_pass_and_every_use_is_recorded()
    {
        using var world = new GateWorld(scope: ApprovalScope.Grant);
        var first = world.Call(GateWorld.Update(3), Budget);
        await world.UntilHeldAsync();
        var grant = Assert.Single(world.Store.All);
        world.Approve(grant);
        Assert.True((await first).Allowed);

        // All read the same version; each write but one conflicts, again and again: they must still all get through.
        var release = new TaskCompletionSource();
        world.Store.HoldStatusWrites = release.Task;
        var calls = Enumerable.Range(0, 12)
            .Select(i => world.Call(GateWorld.Update(4 + i, uid: $"uid-{i}"), Budget))
            .ToArray();
        release.SetResult();
        var verdicts = await Task.WhenAll(calls);

        Assert.All(verdicts, v => Assert.True(v.Allowed, v.Message));
        Assert.Equal(13, world.Store.Find(GateWorld.Namespace, grant.Metadata.Name)!.Status!.Uses);
    }

    [Fact]
    public async Task Two_replicas_holding_the_same_change_converge_on_one_request_and_one_use()
    {
        var first = _world.Call(GateWorld.Update(3), Budget);
        await _world.UntilHeldAsync();
        var existing = Assert.Single(_world.Store.All);
        // The second replica's cache has not seen the request: its create meets AlreadyExists and it holds on that one.
        using var other = new GateWorld(sharing: _world);
        var second = other.Call(GateWorld.Update(3, uid: "uid-2"), Budget);
        await other.UntilHeldAsync();
        Assert.Single(_world.Store.All);

        _world.Approve(existing);
        other.Requests.Upsert(_world.Store.Find("prod", existing.Metadata.Name)!);
        var winner = await Task.WhenAny(first, second);
        Assert.True((await winner).Allowed);
        // The loser may still be on its way back into a hold, in either replica: its wait ends whenever it began.
        var loser = await _world.AdvanceUntilAnsweredAsync(winner == first ? second : first, TimeSpan.FromSeconds(20));

        Assert.False(loser.Allowed);
        Assert.Contains("was already used", loser.Message, StringComparison.Ordinal);
        Assert.Equal(1, _world.Store.Find("prod", existing.Metadata.Name)!.Status!.Uses);
    }

    [Fact]
    public async Task Without_a_wait_the_answer_comes_at_once()
    {
        using var world = new GateWorld(wait: "0s");

        var verdict = await world.Handler.HandleAsync(GateWorld.Update(3), Budget, CancellationToken.None);

        Assert.False(verdict.Allowed);
        Assert.Contains("UPDATE deployments prod/web needs approval (policy prod)", verdict.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_dry_run_creates_nothing()
    {
        var verdict = await _world.Handler.HandleAsync(GateWorld.Update(3, dryRun: true), Budget, CancellationToken.None);

        Assert.True(verdict.Allowed);
        Assert.Contains(verdict.Warnings, w => w.StartsWith("dry run: the real request would need approval", StringComparison.Ordinal));
        Assert.Empty(_world.Store.All);
    }

    [Fact]
    public async Task A_request_that_cannot_be_created_fails_closed_with_the_reason()
    {
        _world.Store.FailCreates = ApiOutcome.Forbidden;

        var verdict = await _world.Handler.HandleAsync(GateWorld.Update(3), Budget, CancellationToken.None);

        Assert.False(verdict.Allowed);
        Assert.Equal(500, verdict.Code);
        Assert.StartsWith("jit-admission could not decide: cannot create ApprovalRequest deployments-web-", verdict.Message, StringComparison.Ordinal);
        Assert.Contains("forbidden", verdict.Message, StringComparison.Ordinal);
    }

}
