using JitAdmission.Core.Admission;
using JitAdmission.Core.Api;
using JitAdmission.Core.Approval;
using static JitAdmission.Core.Tests.Admission.EngineWorld;

namespace JitAdmission.Core.Tests.Admission;

/// <summary>The verdicts after the webhook's I/O: a use recorded, a record made, a hold ended (how a held request is re-checked: GateConversationTests).</summary>
public class GateVerdictTests
{
    [Fact]
    public void A_recorded_use_allows_with_who_approved_in_the_audit_log()
    {
        var world = new EngineWorld();
        var approval = world.ExistingFor(reviews: ApprovedByBob());
        var plan = world.Plan<ConsumePlan>();

        var verdict = GateVerdicts.Consumed(plan, approval);

        Assert.True(verdict.Allowed);
        Assert.Equal(Outcomes.Consume, verdict.Outcome);
        Assert.Equal(["p"], verdict.Policies);
        Assert.Equal($"prod/{approval.Metadata.Name}", verdict.AuditAnnotations[AuditKeys.Request]);
        Assert.Equal("bob", verdict.AuditAnnotations[AuditKeys.Approvers]);
        Assert.Equal("p", verdict.AuditAnnotations[AuditKeys.Policies]);
        Assert.Equal(Outcomes.Consume, verdict.AuditAnnotations[AuditKeys.Outcome]);
    }

    [Fact]
    public void Break_glass_allows_with_a_warning_naming_the_record()
    {
        var world = new EngineWorld { Change = DefaultChange().Object(Deployment(3, "\"jitadmission.io/break-glass\":\"INC-7\"")) };
        world.Policy(s => s.BreakGlass = new BreakGlassSettings { Users = ["alice"] });
        var plan = world.Plan<BreakGlassPlan>();

        var verdict = GateVerdicts.BreakGlassAllowed(plan, plan.Record);

        Assert.True(verdict.Allowed);
        Assert.Equal(Outcomes.BreakGlass, verdict.Outcome);
        Assert.Contains(verdict.Warnings, w => w.Contains("break-glass", StringComparison.Ordinal) && w.Contains(plan.Record.Metadata.Name!, StringComparison.Ordinal));
    }

    [Fact]
    public void Without_a_hold_the_denial_says_how_to_get_approval()
    {
        var world = new EngineWorld();
        world.Policy(s => s.Approval.Wait = "0s");
        var created = world.Plan<CreatePlan>();
        var hold = HoldFor(created, world);

        var verdict = GateVerdicts.NotApproved(world.Attributes, hold, hold.Request, hold.Evaluation, TimeSpan.Zero, world.Now);

        Assert.False(verdict.Allowed);
        Assert.Equal(Outcomes.Hold, verdict.Outcome);
        Assert.Contains("UPDATE deployments prod/web needs approval (policy p)", verdict.Message);
        Assert.Contains($"kubectl jit approve {created.Request.Metadata.Name} -n prod", verdict.Message);
        Assert.Contains("kubectl patch areq", verdict.Message);
        Assert.Contains("approvals 0/1", verdict.Message);
        Assert.Equal($"prod/{created.Request.Metadata.Name}", verdict.AuditAnnotations[AuditKeys.Request]);
    }

    [Fact]
    public void After_a_hold_the_denial_says_how_long_it_waited()
    {
        var world = new EngineWorld();
        var hold = world.Plan<CreatePlan>();
        var held = HoldFor(hold, world);

        var verdict = GateVerdicts.NotApproved(world.Attributes, held, held.Request, held.Evaluation, TimeSpan.FromSeconds(10), world.Now);

        Assert.Contains("is still not approved after waiting 10s", verdict.Message);
    }

    [Fact]
    public void After_a_used_approval_the_denial_says_so_first()
    {
        var world = new EngineWorld();
        var used = world.ExistingFor(recorded: RequestPhase.Consumed, reviews: ApprovedByBob());
        var create = world.Plan<CreatePlan>();
        var hold = HoldFor(create, world);

        var verdict = GateVerdicts.NotApproved(world.Attributes, hold, hold.Request, hold.Evaluation, TimeSpan.FromSeconds(10), world.Now);

        Assert.StartsWith($"The approval ApprovalRequest {used.Metadata.Name} in namespace prod was already used", verdict.Message, StringComparison.Ordinal);
        Assert.Contains(create.Request.Metadata.Name!, verdict.Message);
    }

    [Fact]
    public void Internal_errors_fail_closed_with_the_reason_and_keep_the_warnings()
    {
        var world = new EngineWorld();
        world.Policies.Add(Tests.TestSupport.MatchPolicyBuilder.Policy("w").Enforcement(Enforcement.Warn).Build());
        var plan = world.Plan<CreatePlan>();

        var verdict = GateVerdicts.CouldNotDecide(plan, "the API server said 500\n   at Stack.Trace()");

        Assert.False(verdict.Allowed);
        Assert.Equal(500, verdict.Code);
        Assert.Equal(Outcomes.Error, verdict.Outcome);
        Assert.StartsWith("jit-admission could not decide: the API server said 500;", verdict.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Stack.Trace", verdict.Message, StringComparison.Ordinal);
        Assert.Equal(["p", "w"], verdict.Policies);
        Assert.Single(verdict.Warnings);
    }

    private static HoldPlan HoldFor(CreatePlan plan, EngineWorld world) =>
        new(plan.Gate, plan.Request, AdmissionEngine.Evaluate(plan.Request, world.PolicySet, world.Now), plan.Wait, plan.PreviouslyUsed);
}
