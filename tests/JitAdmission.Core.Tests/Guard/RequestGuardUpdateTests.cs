using JitAdmission.Core.Admission;
using JitAdmission.Core.Api;
using JitAdmission.Core.Guard;
using static JitAdmission.Core.Tests.TestSupport.ApprovalFixtures;

namespace JitAdmission.Core.Tests.Guard;

public class RequestGuardUpdateTests
{
    private static readonly Dictionary<string, ApprovalPolicy> Policies = new()
    {
        ["prod"] = TwoGroups(),
        ["self"] = Policy("self", s => s.Approval.AllowSelfApproval = true, Group("sre")),
    };

    private static ApprovalPolicy? Lookup(string name) => Policies.GetValueOrDefault(name);

    private static ApprovalRequest Old(Action<ApprovalRequest>? change = null)
    {
        var request = Request(["prod"], reviews: [Approve("carol", At(1), "security")]);
        change?.Invoke(request);
        return request;
    }

    private static ApprovalRequest Copy(ApprovalRequest old, Action<ApprovalRequest> change)
    {
        var json = k8s.KubernetesJson.Serialize(old);
        var copy = k8s.KubernetesJson.Deserialize<ApprovalRequest>(json);
        change(copy);
        return copy;
    }

    private sealed record UpdateCase(string Name, ApprovalRequest Old, Func<ApprovalRequest, ApprovalRequest> Update, UserInfo User, DateTimeOffset Now, string? Error, bool IsOperator = false)
    {
        public override string ToString() => Name;
    }

    private static readonly UserInfo Bob = User("bob", "sre");

    private static UpdateCase Case(string name, Action<ApprovalRequest> update, string? error, UserInfo? user = null, ApprovalRequest? old = null, DateTimeOffset? now = null, bool isOperator = false) =>
        new(name, old ?? Old(), o => Copy(o, update), user ?? Bob, now ?? At(2), error, isOperator);

    public static TheoryData<object> Cases => new()
    {
        Case("bob approves", r => r.Spec.Reviews.Add(Approve("bob", At(2), "sre")), null),
        Case("bob denies with a comment", r => r.Spec.Reviews.Add(Deny("bob", At(2), "no", "sre")), null),
        Case("metadata-only edit", r => r.Metadata.Labels = new Dictionary<string, string> { ["x"] = "y" }, null),
        Case("an annotation of one's own", r => r.Metadata.Annotations = new Dictionary<string, string> { ["team.example.com/ticket"] = "T-1" }, null),
        Case("an owner reference added (the garbage collector would delete the record)",
            r => r.Metadata.OwnerReferences = [new k8s.Models.V1OwnerReference { ApiVersion = "v1", Kind = "ConfigMap", Name = "gone", Uid = "x" }],
            "metadata.ownerReferences cannot be changed"),
        Case("a finalizer added", r => r.Metadata.Finalizers = ["example.com/hold"], "metadata.finalizers cannot be changed"),
        Case("jit-admission's requester label changed (hides the request from --mine)",
            r => r.Metadata.Labels = new Dictionary<string, string> { [ApiConstants.RequesterLabel] = "bob" }, "label jitadmission.io/requester is jit-admission's"),
        Case("a policy label removed", r => r.Metadata.Labels = new Dictionary<string, string>(), "label policy.jitadmission.io/prod is jit-admission's",
            old: Old(o => o.Metadata.Labels = new Dictionary<string, string> { [ApiConstants.PolicyLabelPrefix + "prod"] = "true" })),
        Case("review while approved (a revoking deny)", r => r.Spec.Reviews.Add(Deny("dave", At(3), "revoke", "sre")), null,
            user: User("dave", "sre"), old: Old(o => o.Spec.Reviews.Add(Approve("bob", At(2), "sre")))),
        Case("self-approval where every policy allows it", r => r.Spec.Reviews.Add(Approve("alice", At(2), "sre")), null,
            user: User("alice", "sre"), old: Request(["self"])),
        Case("review on a break-glass request", r => r.Spec.Reviews.Add(Approve("bob", At(2), "sre")), null,
            old: Old(o => o.Spec.BreakGlass = true)),

        Case("reason changed", r => r.Spec.Reason = "other", "spec.reason is immutable; create a new ApprovalRequest instead"),
        Case("policies changed", r => r.Spec.Policies = ["self"], "spec.policies is immutable"),
        Case("requester changed", r => r.Spec.Requester.Username = "bob", "spec.requester is immutable"),
        Case("fingerprint changed", r => r.Spec.Fingerprint = "b", "spec.fingerprint is immutable"),
        Case("scope changed", r => r.Spec.Scope = ApprovalScope.Grant, "spec.scope is immutable"),
        Case("action changed", r => r.Spec.Action.Name = "api", "spec.action is immutable"),
        Case("change summary changed", r => r.Spec.Change = "nothing to see", "spec.change is immutable"),
        Case("break-glass switched on", r => r.Spec.BreakGlass = true, "spec.breakGlass is immutable"),
        Case("review removed", r => r.Spec.Reviews.Clear(), "spec.reviews is append-only: the review by \"carol\" was removed"),
        Case("review edited", r => r.Spec.Reviews[0].Comment = "edited", "spec.reviews is append-only: review #1 by \"carol\" was changed"),
        Case("review flipped", r => r.Spec.Reviews[0].Decision = ReviewDecision.Deny, "review #1 by \"carol\" was changed"),
        Case("review for someone else", r => r.Spec.Reviews.Add(Approve("dave", At(2), "sre")), "reviewer must be your own username \"bob\", not \"dave\"; use kubectl jit approve"),
        Case("second review by the same reviewer", r => r.Spec.Reviews.Add(Approve("carol", At(2), "security")), "\"carol\" has already reviewed",
            user: User("carol", "security")),
        Case("two reviews by one person in one update", r => { r.Spec.Reviews.Add(Approve("bob", At(2), "sre")); r.Spec.Reviews.Add(Deny("bob", At(2), null, "sre")); },
            "\"bob\" has already reviewed"),
        Case("forged groups", r => r.Spec.Reviews.Add(Approve("bob", At(2), "sre", "security")), "review groups must be a subset of your own groups"),
        Case("back-dated review time", r => r.Spec.Reviews.Add(Approve("bob", At(-30), "sre")), "review time 2025-03-01T11:30:00Z is not now"),
        Case("review time within the tolerance", r => r.Spec.Reviews.Add(Approve("bob", At(1), "sre")), null),
        Case("self-approval", r => r.Spec.Reviews.Add(Approve("alice", At(2), "sre")), "self-approval is not allowed", user: User("alice", "sre")),
        Case("not an approver", r => r.Spec.Reviews.Add(Approve("mallory", At(2), "dev")), "\"mallory\" is not an approver for this request; it needs sre: 1 of group sre",
            user: User("mallory", "dev")),
        Case("not an approver because groups were not stamped", r => r.Spec.Reviews.Add(new Review { Reviewer = "bob" }), "mutating webhook is not running"),
        Case("denied request", r => r.Spec.Reviews.Add(Approve("bob", At(2), "sre")), "is already Denied",
            old: Old(o => o.Spec.Reviews[0] = Deny("carol", At(1), "no", "security"))),
        Case("expired request", r => r.Spec.Reviews.Add(Approve("bob", At(61), "sre")), "is already Expired", now: At(61)),
        Case("consumed request", r => r.Spec.Reviews.Add(Approve("bob", At(2), "sre")), "is already Consumed",
            old: Old(o => o.Status = new ApprovalRequestStatus { Phase = RequestPhase.Consumed, Message = "used" })),
        Case("policy gone", r => r.Spec.Reviews.Add(Approve("bob", At(2), "sre")), "ApprovalPolicy \"gone\" named by this request no longer exists",
            old: Request(["prod", "gone"])),
        Case("the operator reviewing", r => r.Spec.Reviews.Add(Approve("system:serviceaccount:jit:jit-admission", At(2))), "jit-admission never reviews requests",
            user: User("system:serviceaccount:jit:jit-admission"), isOperator: true),
    };

    public static TheoryData<string, bool, bool> Deleters => new()
    {
        { "alice", false, false },
        { "bob the approver", false, false },
        { "a cluster admin", false, false },
        { "jit-admission (retention)", true, true },
        { RequestGuard.NamespaceController, false, true },
    };

    [Theory]
    [MemberData(nameof(Deleters))]
    public void Only_jit_admission_and_the_namespace_controller_delete_requests(string who, bool isOperator, bool allowed)
    {
        var errors = RequestGuard.ValidateDelete("deployments-web-0123456789", User(who, "system:masters"), isOperator);

        Assert.Equal(allowed, errors.Count == 0);
        if (!allowed) Assert.Contains("ApprovalRequests are records and cannot be deleted", errors[0], StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Update_rules(object row)
    {
        var c = (UpdateCase)row;
        var updated = c.Update(c.Old);
        var errors = RequestGuard.ValidateUpdate(c.Old, updated, c.User, Lookup, c.IsOperator, c.Now);
        if (c.Error is null) Assert.True(errors.Count == 0, $"{c.Name}: [{string.Join(" | ", errors)}]");
        else Assert.True(errors.Any(e => e.Contains(c.Error, StringComparison.Ordinal)), $"{c.Name}: [{string.Join(" | ", errors)}]");
    }
}
