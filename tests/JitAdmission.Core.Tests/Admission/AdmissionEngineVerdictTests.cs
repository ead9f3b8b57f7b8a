using JitAdmission.Core.Admission;
using JitAdmission.Core.Api;
using JitAdmission.Core.Approval;
using static JitAdmission.Core.Tests.Admission.EngineWorld;

namespace JitAdmission.Core.Tests.Admission;

/// <summary>The verdicts after the webhook's I/O: a use recorded, a record made, a hold checked or ended.</summary>
public class AdmissionEngineVerdictTests
{
    [Fact]
    public void A_recorded_use_allows_with_who_approved_in_the_audit_log()
    {
        var world = new EngineWorld();
        var approval = world.ExistingFor(reviews: ApprovedByBob());
        var plan = world.Plan<ConsumePlan>();

        var verdict = AdmissionEngine.Consumed(plan, approval);

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

        var verdict = AdmissionEngine.BreakGlassAllowed(plan, plan.Record);

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
        var hold = AdmissionEngine.HoldFor(created, created.Request, world.PolicySet, world.Now);

        var verdict = AdmissionEngine.NotApproved(world.Attributes, hold, hold.Request, hold.Evaluation, TimeSpan.Zero, world.Now);

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
        var held = AdmissionEngine.HoldFor(hold, hold.Request, world.PolicySet, world.Now);

        var verdict = AdmissionEngine.NotApproved(world.Attributes, held, held.Request, held.Evaluation, TimeSpan.FromSeconds(10), world.Now);

        Assert.Contains("is still not approved after waiting 10s", verdict.Message);
    }

    [Fact]
    public void After_a_used_approval_the_denial_says_so_first()
    {
        var world = new EngineWorld();
        var used = world.ExistingFor(recorded: RequestPhase.Consumed, reviews: ApprovedByBob());
        var create = world.Plan<CreatePlan>();
        var hold = AdmissionEngine.HoldFor(create, create.Request, world.PolicySet, world.Now);

        var verdict = AdmissionEngine.NotApproved(world.Attributes, hold, hold.Request, hold.Evaluation, TimeSpan.FromSeconds(10), world.Now);

        Assert.StartsWith($"The approval ApprovalRequest {used.Metadata.Name} in namespace prod was already used", verdict.Message, StringComparison.Ordinal);
        Assert.Contains(create.Request.Metadata.Name!, verdict.Message);
    }

    public static TheoryData<string> HeldStates() => ["pending", "approved", "spent", "denied", "expired", "deleted"];

    [Theory]
    [MemberData(nameof(HeldStates))]
    public void A_held_request_is_checked_after_every_change(string state)
    {
        var world = new EngineWorld();
        var pending = world.ExistingFor();
        var hold = world.Plan<HoldPlan>();
        ApprovalRequest? current = state switch
        {
            "approved" => With(pending, ApprovedByBob()),
            "denied" => With(pending, DeniedByBob()),
            "spent" => Spent(pending),
            "deleted" => null,
            _ => pending,
        };
        var now = state == "expired" ? Created.AddHours(2) : world.Now;

        var check = AdmissionEngine.CheckHeld(world.Attributes, hold, current, world.PolicySet, now);

        switch (state)
        {
            case "pending":
                Assert.Equal(HeldState.Waiting, check.State);
                Assert.Equal(RequestPhase.Pending, check.Evaluation!.Phase);
                break;
            case "approved":
                Assert.Equal(HeldState.Usable, check.State);
                break;
            case "spent":
                Assert.Equal(HeldState.Spent, check.State);
                break;
            default:
                Assert.Equal(HeldState.Finished, check.State);
                Assert.False(check.Verdict!.Allowed);
                Assert.Contains(state switch { "denied" => "was denied by bob", "expired" => "expired", _ => "was deleted" }, check.Verdict.Message);
                break;
        }
    }

    [Fact]
    public void Internal_errors_fail_closed_with_the_reason_and_keep_the_warnings()
    {
        var world = new EngineWorld();
        world.Policies.Add(Tests.TestSupport.MatchPolicyBuilder.Policy("w").Enforcement(Enforcement.Warn).Build());
        var plan = world.Plan<CreatePlan>();

        var verdict = AdmissionEngine.CouldNotDecide(plan, "the API server said 500\n   at Stack.Trace()");

        Assert.False(verdict.Allowed);
        Assert.Equal(500, verdict.Code);
        Assert.Equal(Outcomes.Error, verdict.Outcome);
        Assert.StartsWith("jit-admission could not decide: the API server said 500;", verdict.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Stack.Trace", verdict.Message, StringComparison.Ordinal);
        Assert.Equal(["p", "w"], verdict.Policies);
        Assert.Single(verdict.Warnings);
    }

    private static ApprovalRequest Spent(ApprovalRequest request)
    {
        var spent = With(request, ApprovedByBob());
        spent.Status = new ApprovalRequestStatus { Phase = RequestPhase.Consumed, Uses = 1 };
        return spent;
    }

    private static ApprovalRequest With(ApprovalRequest request, Review review) => new()
    {
        Metadata = request.Metadata,
        Spec = new ApprovalRequestSpec
        {
            Policies = request.Spec.Policies,
            Requester = request.Spec.Requester,
            Action = request.Spec.Action,
            Fingerprint = request.Spec.Fingerprint,
            Scope = request.Spec.Scope,
            Reviews = [review],
        },
    };
}
