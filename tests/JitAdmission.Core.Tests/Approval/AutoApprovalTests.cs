using JitAdmission.Core.Admission;
using JitAdmission.Core.Api;
using JitAdmission.Core.Approval;
using JitAdmission.Core.Guard;
using JitAdmission.Core.Matching;
using JitAdmission.Core.Tests.Admission;
using JitAdmission.Core.Tests.TestSupport;
using JitAdmission.Core.Validation;
using static JitAdmission.Core.Tests.TestSupport.ApprovalFixtures;

namespace JitAdmission.Core.Tests.Approval;

/// <summary>
/// Auto-approval rules (docs/policies.md "Auto-approval"): written as the attacks and mistakes first — a rule must
/// satisfy only the entries it names, never break-glass, never from a forged call, never from a requester's own
/// claim, and stop counting when the admin removes it.
/// </summary>
public class AutoApprovalTests
{
    /// <summary>The on-call ConfigMap has one key per person on call (usernames are valid keys; its values are notes).</summary>
    private const string OnCallRule = "context.oncall != null && has(context.oncall.data) && request.userInfo.username in context.oncall.data";

    private static AutoApprovalRule OnCall(params string[] approves) => new() { Name = "on-call", Approves = [.. approves], Rule = OnCallRule };

    /// <summary>EngineWorld's policy p (entry sre), plus entry security, a rule for sre, and the on-call ConfigMap naming alice.</summary>
    private static EngineWorld World(string onCall = "alice,carol", bool authenticated = true, params string[] approves)
    {
        var world = new EngineWorld
        {
            Cluster = InMemoryClusterContext.Empty.WithNamespace("prod")
                .WithConfigMap("jit-system", "on-call", onCall.Split(',').ToDictionary(u => u, _ => "on call this week")),
        };
        world.Settings = world.Settings with { CallerAuthenticated = authenticated };
        world.Policies[0].Spec.Context.Add(new ContextReference { Name = "oncall", ConfigMap = new NamespacedName { Namespace = "jit-system", Name = "on-call" } });
        return world.Policy(s =>
        {
            s.Approval.Approvers.Add(new ApproverRule { Name = "security", Groups = ["security"] });
            s.Approval.AutoApprove = [OnCall(approves.Length == 0 ? ["sre"] : approves)];
        });
    }

    [Fact]
    public void A_rule_that_holds_is_recorded_on_the_request_the_gate_creates()
    {
        var draft = World().Plan<CreatePlan>().Request;
        var record = Assert.Single(draft.Spec.AutoApprovals!);
        Assert.Equal(("p", "on-call", "sre"), (record.Policy, record.Rule, Assert.Single(record.Approves)));
    }

    [Fact]
    public void A_rule_that_does_not_hold_records_nothing()
    {
        var plan = World(onCall: "carol").Plan<CreatePlan>();
        Assert.Null(plan.Request.Spec.AutoApprovals);
    }

    [Fact]
    public void Without_client_authentication_no_rule_is_applied_and_the_requester_is_told_why()
    {
        // A forged review could describe any change and user the rule likes: jit-admission would approve its fingerprint.
        var plan = World(authenticated: false).Plan<CreatePlan>();
        Assert.Null(plan.Request.Spec.AutoApprovals);
        Assert.Contains(plan.Warnings, w => w.Contains("auto-approval rules are not applied", StringComparison.Ordinal));
    }

    [Fact]
    public void A_rule_that_fails_to_evaluate_approves_nothing_and_says_so()
    {
        var world = World();
        world.Policy(s => s.Approval.AutoApprove[0].Rule = "context.oncall.data.missing == 'x'");
        var plan = world.Plan<CreatePlan>();
        Assert.Null(plan.Request.Spec.AutoApprovals);
        Assert.Contains(plan.Warnings, w => w.Contains("auto-approval rule 'on-call' of policy p could not be evaluated", StringComparison.Ordinal));
    }

    [Fact]
    public void Break_glass_is_never_auto_approved()
    {
        var world = World();
        world.Change = EngineWorld.DefaultChange().Object(EngineWorld.Deployment(3, "\"jitadmission.io/break-glass\":\"INC-7\""));
        world.Policy(s => s.BreakGlass = new BreakGlassSettings { Users = ["alice"] });
        var record = world.Plan<BreakGlassPlan>().Record;
        Assert.Null(record.Spec.AutoApprovals);
    }

    [Fact]
    public void The_named_entries_are_satisfied_and_the_others_still_need_people()
    {
        var world = World();
        var request = world.Plan<CreatePlan>().Request;
        request.Metadata.CreationTimestamp = TimeText.ToApi(EngineWorld.Created);

        var pending = AdmissionEngine.Evaluate(request, world.PolicySet, At(1));
        Assert.Equal(RequestPhase.Pending, pending.Phase);
        Assert.Equal((1, 2), (pending.Have, pending.Need));
        var sre = pending.Requirements.Single(r => r.Name == "sre");
        Assert.Equal(("p/on-call", true), (sre.ApprovedByRule, sre.Satisfied));
        Assert.Contains("sre 1/1 by rule p/on-call", pending.Message, StringComparison.Ordinal);
        Assert.Contains("security 0/1", pending.Message, StringComparison.Ordinal);

        // An SRE's approval does not fill the security seat; a security reviewer's does.
        request.Spec.Reviews.Add(Approve("bob", At(2), "sre"));
        Assert.Equal(RequestPhase.Pending, AdmissionEngine.Evaluate(request, world.PolicySet, At(3)).Phase);
        request.Spec.Reviews.Add(Approve("sam", At(3), "security"));
        var approved = AdmissionEngine.Evaluate(request, world.PolicySet, At(4));
        Assert.Equal(RequestPhase.Approved, approved.Phase);
        Assert.Equal(At(3), approved.ApprovedAt);
        Assert.Contains("approved by sam, rule p/on-call", approved.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_rule_for_every_entry_approves_at_creation()
    {
        var world = World(approves: ["sre", "security"]);
        var request = world.Plan<CreatePlan>().Request;
        request.Metadata.CreationTimestamp = TimeText.ToApi(EngineWorld.Created);

        var evaluation = AdmissionEngine.Evaluate(request, world.PolicySet, At(1));
        Assert.Equal(RequestPhase.Approved, evaluation.Phase);
        Assert.Equal(EngineWorld.Created, evaluation.ApprovedAt);
        Assert.Equal((2, 2), (evaluation.Have, evaluation.Need));
        Assert.Empty(evaluation.ApprovedBy);
        Assert.StartsWith("approved by rule p/on-call;", evaluation.Message, StringComparison.Ordinal);

        // The status records the rule per entry, and a status without it is out of date.
        var status = evaluation.ToStatus(null, At(1));
        Assert.All(status.Requirements, r => Assert.Equal("p/on-call", r.ApprovedByRule));
        var stale = evaluation.ToStatus(null, At(1));
        stale.Requirements[0].ApprovedByRule = null;
        Assert.True(ApprovalStatusComparer.Differs(stale, status));

        // A person can still stop it before it is used.
        request.Spec.Reviews.Add(Deny("sam", At(1), "not during the freeze", "security"));
        Assert.Equal(RequestPhase.Denied, AdmissionEngine.Evaluate(request, world.PolicySet, At(2)).Phase);
    }

    [Fact]
    public void Removing_the_rule_or_an_entry_from_the_live_policy_withdraws_what_it_satisfied()
    {
        var world = World(approves: ["sre", "security"]);
        var request = world.Plan<CreatePlan>().Request;
        request.Metadata.CreationTimestamp = TimeText.ToApi(EngineWorld.Created);

        world.Policy(s => s.Approval.AutoApprove[0].Approves = ["sre"]);
        Assert.Equal(RequestPhase.Pending, AdmissionEngine.Evaluate(request, world.PolicySet, At(1)).Phase);
        world.Policy(s => s.Approval.AutoApprove = []);
        var evaluation = AdmissionEngine.Evaluate(request, world.PolicySet, At(1));
        Assert.Equal((RequestPhase.Pending, 0), (evaluation.Phase, evaluation.Have));
        Assert.All(evaluation.Requirements, r => Assert.Null(r.ApprovedByRule));
    }

    [Fact]
    public void A_record_naming_entries_its_rule_does_not_approve_satisfies_only_the_rules_entries()
    {
        var world = World(approves: ["sre"]);
        var request = world.Plan<CreatePlan>().Request;
        request.Metadata.CreationTimestamp = TimeText.ToApi(EngineWorld.Created);
        request.Spec.AutoApprovals![0].Approves = ["sre", "security"];

        var evaluation = AdmissionEngine.Evaluate(request, world.PolicySet, At(1));
        Assert.Equal(RequestPhase.Pending, evaluation.Phase);
        Assert.Null(evaluation.Requirements.Single(r => r.Name == "security").ApprovedByRule);
    }

    [Fact]
    public void A_break_glass_request_carrying_a_record_is_not_approved_by_it()
    {
        var world = World(approves: ["sre", "security"]);
        var request = world.Plan<CreatePlan>().Request;
        request.Spec.BreakGlass = true;
        var evaluation = AdmissionEngine.Evaluate(request, world.PolicySet, At(1));
        Assert.Equal(BreakGlassReview.Pending, evaluation.BreakGlassReview);
    }

    [Fact]
    public void A_requester_cannot_create_a_request_claiming_a_rule_approved_it()
    {
        var policy = Policy("grant", s =>
        {
            s.Approval.Scope = ApprovalScope.Grant;
            s.Approval.AutoApprove = [OnCall("sre")];
        }, Group("sre"));
        var request = Request(["grant"], scope: ApprovalScope.Grant);
        request.Metadata.CreationTimestamp = null;
        request.Spec.Action = new RequestedAction { Operation = "*", Namespace = "prod" };
        request.Spec.AutoApprovals = [new AutoApprovalRecord { Policy = "grant", Rule = "on-call", Approves = ["sre"] }];

        var errors = RequestGuard.ValidateCreate(request, User("alice", "dev"), n => n == "grant" ? policy : null, isOperator: false, At(0));
        Assert.Contains(errors, e => e.StartsWith("spec.autoApprovals must be empty", StringComparison.Ordinal));
    }

    [Fact]
    public void Nobody_changes_the_record_afterwards()
    {
        var world = World();
        var old = world.Plan<CreatePlan>().Request;
        var updated = world.Plan<CreatePlan>().Request;
        updated.Spec.AutoApprovals![0].Approves = ["sre", "security"];
        var added = world.Plan<CreatePlan>().Request;
        added.Spec.AutoApprovals = null;

        foreach (var (changed, isOperator) in new[] { (updated, false), (updated, true), (added, false) })
        {
            var errors = RequestGuard.ValidateUpdate(old, changed, User("alice", "dev"), n => world.Policies.FirstOrDefault(p => p.Metadata.Name == n), isOperator, At(1));
            Assert.Contains("spec.autoApprovals is immutable; create a new ApprovalRequest instead", errors);
        }
    }

    [Fact]
    public void Jit_admission_never_records_a_rule_on_a_break_glass_record()
    {
        var world = World();
        var request = world.Plan<CreatePlan>().Request;
        request.Spec.BreakGlass = true;
        var errors = RequestGuard.ValidateCreate(request, User("system:serviceaccount:jit-system:jit-admission"), _ => null, isOperator: true, At(0));
        Assert.Contains("a break-glass record is never auto-approved: it is reviewed by people afterwards", errors);
    }

    public static TheoryData<string, Action<ApprovalSettings>> Invalid => new()
    {
        { "spec.approval.autoApprove[0].approves[0]: \"ops\" is not the name of an approver entry of this policy (sre)", a => a.AutoApprove[0].Approves = ["ops"] },
        { "spec.approval.autoApprove[0].approves: name the approver entries", a => a.AutoApprove[0].Approves = [] },
        { "spec.approval.autoApprove[0].rule:", a => a.AutoApprove[0].Rule = "request.userInfo.username ==" },
        { "spec.approval.autoApprove[0].rule: a CEL rule is required", a => a.AutoApprove[0].Rule = " " },
        { "spec.approval.autoApprove[0].name: \"On Call\" is not a name", a => a.AutoApprove[0].Name = "On Call" },
        { "spec.approval.autoApprove[1].name: duplicate auto-approval rule name \"on-call\"", a => a.AutoApprove.Add(OnCall("sre")) },
        { "(give the entries names)", a => a.Approvers[0].Name = null },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void Policy_validation_rejects_rules_that_would_approve_nothing_or_the_wrong_thing(string expected, Action<ApprovalSettings> change)
    {
        var policy = MatchPolicyBuilder.Policy("p").Context("oncall", "jit-system", "on-call").Build();
        policy.Spec.Approval.AutoApprove = [OnCall("sre")];
        Assert.Equal([], PolicyValidator.Validate(policy));
        change(policy.Spec.Approval);
        Assert.Contains(PolicyValidator.Validate(policy), e => e.Contains(expected, StringComparison.Ordinal));
    }
}
