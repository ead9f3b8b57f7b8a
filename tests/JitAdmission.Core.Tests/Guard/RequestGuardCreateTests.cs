using JitAdmission.Core.Api;
using JitAdmission.Core.Guard;
using static JitAdmission.Core.Tests.TestSupport.ApprovalFixtures;

namespace JitAdmission.Core.Tests.Guard;

public class RequestGuardCreateTests
{
    private static readonly Dictionary<string, ApprovalPolicy> Policies = new()
    {
        ["obj"] = Policy("obj", s => s.Approval.Scope = ApprovalScope.Object, Group("sre")),
        ["grant"] = Policy("grant", s =>
        {
            s.Approval.Scope = ApprovalScope.Grant;
            s.BreakGlass = new BreakGlassSettings { Groups = ["oncall"] };
        }, Group("sre")),
        ["grant2"] = Policy("grant2", s => s.Approval.Scope = ApprovalScope.Grant, Group("sre")),
        ["exact"] = Policy("exact", Group("sre")),
    };

    private static ApprovalPolicy? Lookup(string name) => Policies.GetValueOrDefault(name);

    /// <summary>A valid ahead-of-time Object request by alice for prod/web.</summary>
    private static ApprovalRequest AheadOfTime(Action<ApprovalRequest>? change = null)
    {
        var request = Request(["obj"], scope: ApprovalScope.Object);
        request.Metadata.CreationTimestamp = null;
        change?.Invoke(request);
        return request;
    }

    private static ApprovalRequest Grant(Action<ApprovalRequest>? change = null) => AheadOfTime(r =>
    {
        r.Spec.Policies = ["grant"];
        r.Spec.Scope = ApprovalScope.Grant;
        r.Spec.Action = new RequestedAction { Operation = "*", Namespace = "prod" };
        change?.Invoke(r);
    });

    public static TheoryData<string, ApprovalRequest, string> Rejected => new()
    {
        { "someone else as requester", AheadOfTime(r => r.Spec.Requester.Username = "bob"), "spec.requester.username must be your own username \"alice\"" },
        { "someone else's uid", AheadOfTime(r => r.Spec.Requester.Uid = "bob-uid"), "spec.requester.uid must be empty or your own uid" },
        { "groups the creator is not in", AheadOfTime(r => r.Spec.Requester.Groups = ["dev", "admins"]), "remove \"admins\"" },
        { "a fingerprint", AheadOfTime(r => r.Spec.Fingerprint = "abc"), "spec.fingerprint must be empty" },
        { "reviews", AheadOfTime(r => r.Spec.Reviews.Add(Approve("bob", At(0), "sre"))), "spec.reviews must be empty" },
        { "a status", AheadOfTime(r => r.Status = new ApprovalRequestStatus { Phase = RequestPhase.Approved }), "status must be empty" },
        { "scope Exact", AheadOfTime(r => { r.Spec.Policies = ["exact"]; r.Spec.Scope = ApprovalScope.Exact; }), "scope Exact needs the fingerprint of a real change" },
        { "scope unlike the policy's", AheadOfTime(r => r.Spec.Scope = ApprovalScope.Grant), "scope must be Object, the scope of policy \"obj\", not Grant" },
        { "scope unlike one of two policies", Grant(r => r.Spec.Policies = ["grant", "obj"]), "scope must be Object, the scope of policy \"obj\"" },
        { "Object without an object name", AheadOfTime(r => r.Spec.Action.Name = null), "scope Object needs spec.action.resource and spec.action.name" },
        { "action in another namespace", AheadOfTime(r => r.Spec.Action.Namespace = "staging"), "must be the namespace the request is created in (\"prod\")" },
        { "no policies", AheadOfTime(r => r.Spec.Policies = []), "spec.policies must name at least one ApprovalPolicy" },
        { "a policy that does not exist", AheadOfTime(r => r.Spec.Policies = ["obj", "nope"]), "ApprovalPolicy \"nope\" does not exist" },
        { "break-glass without being a subject", Grant(r => { r.Spec.Policies = ["grant2"]; r.Spec.BreakGlass = true; r.Spec.Reason = "x"; }), "break-glass is not allowed for \"alice\": policy \"grant2\"" },
        { "break-glass without a reason", Grant(r => r.Spec.BreakGlass = true), "break-glass needs a reason" },
        { "a change description written by the requester", AheadOfTime(r => r.Spec.Change = "UPDATE apps/v1 deployments prod/web: replicas 1 → 1"), "spec.change must be empty" },
        { "an escape sequence in the reason", AheadOfTime(r => r.Spec.Reason = "ok\u001b[2J\u001b[Happroved by security"), "spec.reason must be one line of plain text" },
        { "a line break in the reason", AheadOfTime(r => r.Spec.Reason = "ok\nApproved by: bob"), "spec.reason must be one line of plain text" },
        { "a direction override in the reason", AheadOfTime(r => r.Spec.Reason = "fix \u202edelete everything"), "spec.reason must be one line of plain text" },
        { "an operation that is none", AheadOfTime(r => r.Spec.Action.Operation = "PATCH"), "spec.action.operation \"PATCH\" is not" },
        { "a resource with control characters", AheadOfTime(r => r.Spec.Action.Resource = "deploy\u001b[31mments"), "spec.action.resource \"deploy\\u001b[31mments\" is not a resource" },
        { "an object name that is not one", AheadOfTime(r => r.Spec.Action.Name = "web/../x"), "spec.action.name" },
        { "a kind that is not one", AheadOfTime(r => r.Spec.Action.Kind = "Deploy ment"), "spec.action.kind" },
        { "jit-admission's labels", AheadOfTime(r => r.Metadata.Labels = new Dictionary<string, string> { [ApiConstants.PolicyLabelPrefix + "other"] = "true" }), "label policy.jitadmission.io/other is jit-admission's" },
    };

    [Theory]
    [MemberData(nameof(Rejected))]
    public void Rejects_with_what_to_do(string what, ApprovalRequest created, string expected)
    {
        var errors = RequestGuard.ValidateCreate(created, User("alice", "dev", "oncall"), Lookup, isOperator: false, At(0));
        Assert.True(errors.Any(e => e.Contains(expected, StringComparison.Ordinal)), $"{what}: [{string.Join(" | ", errors)}]");
    }

    public static TheoryData<string, ApprovalRequest, bool> Accepted => new()
    {
        { "Object request for yourself", AheadOfTime(), false },
        { "Object request without groups or uid", AheadOfTime(r => { r.Spec.Requester.Groups = []; r.Spec.Requester.Uid = null; }), false },
        { "namespace-wide Grant", Grant(), false },
        { "cluster-wide Grant", Grant(r => r.Spec.Action.Namespace = null), false },
        { "Grant over two Grant policies", Grant(r => r.Spec.Policies = ["grant", "grant2"]), false },
        { "break-glass by a break-glass subject, with a reason", Grant(r => { r.Spec.BreakGlass = true; r.Spec.Reason = "outage"; }), false },
        { "the operator's webhook-made Exact request for someone else", AheadOfTime(r =>
            { r.Spec.Requester.Username = "bob"; r.Spec.Scope = ApprovalScope.Exact; r.Spec.Fingerprint = "abc"; r.Spec.Policies = ["exact"]; }), true },
    };

    [Theory]
    [MemberData(nameof(Accepted))]
    public void Accepts(string what, ApprovalRequest created, bool isOperator)
    {
        var user = isOperator ? User("system:serviceaccount:jit:jit-admission") : User("alice", "dev", "oncall");
        var errors = RequestGuard.ValidateCreate(created, user, Lookup, isOperator, At(0));
        Assert.True(errors.Count == 0, $"{what}: [{string.Join(" | ", errors)}]");
    }

    [Theory]
    [InlineData(false, 1)]
    [InlineData(true, 0)]
    public void Only_the_operator_writes_status(bool isOperator, int errors)
    {
        var result = RequestGuard.ValidateStatusChange(User("bob", "sre"), isOperator);
        Assert.Equal(errors, result.Count);
        if (errors > 0) Assert.Contains("kubectl jit approve", result[0], StringComparison.Ordinal);
    }
}
