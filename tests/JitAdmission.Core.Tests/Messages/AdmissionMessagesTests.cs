using JitAdmission.Core.Api;
using JitAdmission.Core.Approval;
using JitAdmission.Core.Messages;
using static JitAdmission.Core.Tests.TestSupport.ApprovalFixtures;

namespace JitAdmission.Core.Tests.Messages;

public class AdmissionMessagesTests
{
    private static readonly ApprovalPolicy Prod = TwoGroups(configure: s => s.Message = "Ask in #sre-oncall");
    private static readonly ApprovalPolicy Db = Policy("db", Group("dba"));

    private static (ApprovalRequest Request, ApprovalEvaluation Evaluation) Pending(DateTimeOffset now, params ApprovalPolicy[] policies)
    {
        var request = Request([.. policies.Select(p => p.Metadata.Name)]);
        return (request, ApprovalEvaluator.Evaluate(request, policies, now));
    }

    [Fact]
    public void Needs_approval_says_what_by_whom_where_how_far_until_when_and_how()
    {
        var (request, evaluation) = Pending(At(1), Prod);
        var message = AdmissionMessages.NeedsApproval(Change(), [Prod], request, evaluation, At(1));

        Assert.Equal(
            """
            UPDATE deployments prod/web needs approval (policy prod: Ask in #sre-oncall).
            ApprovalRequest deployments-web-0123456789 in namespace prod: approvals 0/2 (sre 0/1, security 0/1); expires in 59m (2025-03-01T13:00:00Z).
            An approver runs: kubectl jit approve deployments-web-0123456789 -n prod
              or: kubectl patch areq deployments-web-0123456789 -n prod --type=json -p '[{"op":"add","path":"/spec/reviews/-","value":{"reviewer":"<you>","decision":"Approve"}}]'
            Once it is approved, run the same command again.
            """.ReplaceLineEndings("\n"),
            message);
    }

    [Fact]
    public void Several_policies_are_all_named()
    {
        var (request, evaluation) = Pending(At(1), Prod, Db);
        var message = AdmissionMessages.NeedsApproval(Change(), [Prod, Db], request, evaluation, At(1));
        Assert.Contains("(policies prod: Ask in #sre-oncall; db)", message, StringComparison.Ordinal);
        Assert.Contains("approvals 0/3 (prod/sre 0/1, prod/security 0/1, db/dba 0/1)", message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unsatisfiable_request_says_approving_cannot_help()
    {
        var request = Request(["prod", "gone"]);
        var evaluation = ApprovalEvaluator.Evaluate(request, [Prod], At(1));
        var message = AdmissionMessages.NeedsApproval(Change(), [Prod], request, evaluation, At(1));
        Assert.Contains("policy \"gone\" no longer exists", message, StringComparison.Ordinal);
        Assert.Contains("approving this request cannot help", message, StringComparison.Ordinal);
        Assert.DoesNotContain("kubectl jit approve", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Timed_out_says_how_long_it_waited()
    {
        var (request, evaluation) = Pending(At(1), Prod);
        var message = AdmissionMessages.TimedOut(Change(), [Prod], request, evaluation, TimeSpan.FromSeconds(10), At(1));
        Assert.StartsWith("UPDATE deployments prod/web is still not approved after waiting 10s (policy prod: Ask in #sre-oncall).", message, StringComparison.Ordinal);
        Assert.Contains("kubectl jit approve deployments-web-0123456789 -n prod", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Denied_names_who_and_why_and_until_when()
    {
        var request = Request(["prod"], reviews: Deny("carol", At(2), "too risky\non friday", "security"));
        var evaluation = ApprovalEvaluator.Evaluate(request, [Prod], At(3));
        Assert.Equal(
            "UPDATE deployments prod/web was denied by carol: \"too risky on friday\" (ApprovalRequest deployments-web-0123456789 in namespace prod).\n"
            + "The same change is refused until 2025-03-01T13:00:00Z; change it, or talk to carol.",
            AdmissionMessages.Denied(Change(), request, evaluation));
    }

    [Fact]
    public void Expired_and_consumed_point_to_a_new_request()
    {
        var (request, expired) = Pending(At(61), Prod);
        Assert.Equal(
            "UPDATE deployments prod/web was not let through: ApprovalRequest deployments-web-0123456789 in namespace prod expired at 2025-03-01T13:00:00Z without approval (sre 0/1, security 0/1).\n"
            + "Run the same command again to create a new approval request.",
            AdmissionMessages.Expired(Change(), request, expired));

        var used = Request(["prod"], reviews: [Approve("bob", At(1), "sre"), Approve("carol", At(1), "security")]);
        used.Status = new ApprovalRequestStatus { Uses = 1 };
        var usedEvaluation = ApprovalEvaluator.Evaluate(used, [Prod], At(2));
        var (next, nextEvaluation) = Pending(At(2), Prod);
        next.Metadata.Name = "deployments-web-0123456789-2";
        var message = AdmissionMessages.ConsumedNeedsNewApproval(Change(), used, usedEvaluation, [Prod], next, nextEvaluation, At(2));
        Assert.StartsWith("The approval ApprovalRequest deployments-web-0123456789 in namespace prod was already used 1/1 times; this change needs a new approval.\n", message, StringComparison.Ordinal);
        Assert.Contains("kubectl jit approve deployments-web-0123456789-2 -n prod", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Warnings_for_break_glass_and_dry_run()
    {
        var request = Request(["prod"]);
        Assert.Equal(
            "break-glass: allowed without approval despite policy prod; recorded as ApprovalRequest deployments-web-0123456789 in namespace prod, which approvers review afterwards",
            AdmissionMessages.BreakGlassWarning(request, [Prod]));
        Assert.Equal(
            "dry run: the real request would need approval (policies prod: Ask in #sre-oncall; db); no approval request was created",
            AdmissionMessages.DryRunWarning([Prod, Db], null));
        Assert.Equal(
            "dry run: the real request is gated by policy prod and would use the approval ApprovalRequest deployments-web-0123456789 in namespace prod",
            AdmissionMessages.DryRunWarning([Prod], request));
    }

    [Fact]
    public void Internal_errors_fail_closed_without_stack_traces()
    {
        var reason = "policy \"prod\": CEL evaluation failed: no such key: tier\n   at Cel.Interpreter.Eval()\n   at JitAdmission.Core...";
        var message = AdmissionMessages.InternalError(reason);
        Assert.Equal(
            "jit-admission could not decide: policy \"prod\": CEL evaluation failed: no such key: tier; the request is denied to stay safe. "
            + "Retry; if it keeps failing, ask the cluster admin to check the jit-admission logs.",
            message);
        Assert.True(AdmissionMessages.InternalError(new string('x', 5000)).Length < 500);
    }
}

public sealed class GatedTargetTests
{
    [Theory]
    [InlineData("", "v1", "namespaces", "scratch", "scratch", "DELETE namespaces scratch")]
    [InlineData("", "v1", "configmaps", "prod", "cfg", "DELETE configmaps prod/cfg")]
    [InlineData("rbac.authorization.k8s.io", "v1", "clusterroles", "", "admin", "DELETE clusterroles admin")]
    public void A_namespace_reads_as_cluster_scoped_and_namespaced_objects_as_namespace_slash_name(
        string group, string version, string resource, string @namespace, string name, string expected)
    {
        var request = new JitAdmission.Core.Admission.AdmissionAttributes
        {
            Uid = "u",
            Operation = "DELETE",
            Resource = new JitAdmission.Core.Admission.GroupVersionResource(group, version, resource),
            Namespace = @namespace,
            Name = name,
            UserInfo = new JitAdmission.Core.Admission.UserInfo("alice", null, ["devs"]),
        };

        Assert.Equal(expected, JitAdmission.Core.Messages.AdmissionMessages.Gated(request));
    }
}
