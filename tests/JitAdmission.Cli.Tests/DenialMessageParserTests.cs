using JitAdmission.Cli.Model;
using JitAdmission.Core.Api;
using JitAdmission.Core.Approval;
using JitAdmission.Core.Messages;
using static JitAdmission.Cli.Tests.TestSupport.Requests;

namespace JitAdmission.Cli.Tests;

/// <summary>apply --wait reads jit-admission's denials from kubectl's stderr: fed here the real AdmissionMessages output, wrapped as kubectl prints it.</summary>
public class DenialMessageParserTests
{
    private static readonly ApprovalPolicy Prod = Policy(configure: a => a.RequestTtl = "1h");

    private static string AsKubectlPrints(string message, string verb = "creating", string file = "web.yaml") =>
        $"Error from server (Forbidden): error when {verb} \"{file}\": admission webhook \"validate.jitadmission.io\" denied the request: {message}\n";

    private static (ApprovalRequest Request, ApprovalEvaluation Evaluation) Pending(string name = "deployments-web-0123456789")
    {
        var request = Request(name);
        return (request, ApprovalEvaluator.Evaluate(request, [Prod], At(1)));
    }

    [Fact]
    public void Needs_approval_names_the_request_its_namespace_and_what_is_gated()
    {
        var (request, evaluation) = Pending();
        var stderr = AsKubectlPrints(AdmissionMessages.NeedsApproval(Change(), [Prod], request, evaluation, At(1)));

        var notice = Assert.Single(DenialMessageParser.Parse(stderr));

        Assert.Equal(DenialKind.NeedsApproval, notice.Kind);
        Assert.Equal("deployments-web-0123456789", notice.Name);
        Assert.Equal("prod", notice.Namespace);
        Assert.Equal("UPDATE deployments prod/web needs approval (policy prod).", notice.Summary);
    }

    [Fact]
    public void A_hold_that_timed_out_still_waits_for_approval()
    {
        var (request, evaluation) = Pending();
        var stderr = AsKubectlPrints(AdmissionMessages.TimedOut(Change(), [Prod], request, evaluation, TimeSpan.FromSeconds(10), At(1)), "patching");

        var notice = Assert.Single(DenialMessageParser.Parse(stderr));

        Assert.Equal(DenialKind.NeedsApproval, notice.Kind);
        Assert.Equal(("deployments-web-0123456789", "prod"), (notice.Name, notice.Namespace));
        Assert.StartsWith("UPDATE deployments prod/web is still not approved after waiting 10s", notice.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void A_denial_by_an_approver_is_final()
    {
        var request = Request(reviews: Deny("carol", At(2), "too risky on friday", "security"));
        var evaluation = ApprovalEvaluator.Evaluate(request, [Prod], At(3));
        var stderr = AsKubectlPrints(AdmissionMessages.Denied(Change(), request, evaluation));

        var notice = Assert.Single(DenialMessageParser.Parse(stderr));

        Assert.Equal(DenialKind.Denied, notice.Kind);
        Assert.Equal(("deployments-web-0123456789", "prod"), (notice.Name, notice.Namespace));
        Assert.Contains("denied by carol", notice.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void An_expired_request_is_recognised()
    {
        var request = Request();
        var evaluation = ApprovalEvaluator.Evaluate(request, [Prod], At(61));
        var stderr = AsKubectlPrints(AdmissionMessages.Expired(Change(), request, evaluation));

        var notice = Assert.Single(DenialMessageParser.Parse(stderr));

        Assert.Equal(DenialKind.Expired, notice.Kind);
        Assert.Equal(("deployments-web-0123456789", "prod"), (notice.Name, notice.Namespace));
    }

    [Fact]
    public void A_used_up_approval_points_to_the_new_request_not_the_used_one()
    {
        var used = Request("deployments-web-0123456789");
        used.Status = new ApprovalRequestStatus { Phase = RequestPhase.Consumed, Uses = 1 };
        var usedEvaluation = ApprovalEvaluator.Evaluate(used, [Prod], At(5));
        var (next, nextEvaluation) = Pending("deployments-web-0123456789-2");
        var stderr = AsKubectlPrints(AdmissionMessages.ConsumedNeedsNewApproval(Change(), used, usedEvaluation, [Prod], next, nextEvaluation, At(5)));

        var notice = Assert.Single(DenialMessageParser.Parse(stderr));

        Assert.Equal(DenialKind.NeedsApproval, notice.Kind);
        Assert.Equal("deployments-web-0123456789-2", notice.Name);
    }

    [Fact]
    public void A_request_that_cannot_be_approved_is_not_waited_for()
    {
        var request = Request(policies: ["prod", "gone"]);
        var evaluation = ApprovalEvaluator.Evaluate(request, [Prod], At(1));
        var stderr = AsKubectlPrints(AdmissionMessages.NeedsApproval(Change(), [Prod], request, evaluation, At(1)));

        var notice = Assert.Single(DenialMessageParser.Parse(stderr));

        Assert.Equal(DenialKind.Unsatisfiable, notice.Kind);
        Assert.Equal(("deployments-web-0123456789", "prod"), (notice.Name, notice.Namespace));
    }

    [Fact]
    public void Failing_closed_is_an_error_without_a_request()
    {
        var stderr = AsKubectlPrints(AdmissionMessages.InternalError("cache not synced\n   at Foo.Bar()"));

        var notice = Assert.Single(DenialMessageParser.Parse(stderr));

        Assert.Equal(DenialKind.InternalError, notice.Kind);
        Assert.StartsWith("jit-admission could not decide: cache not synced", notice.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_denied_object_of_a_multi_object_apply_is_found_in_order()
    {
        var (web, webEvaluation) = Pending("deployments-web-0123456789");
        var (db, dbEvaluation) = Pending("deployments-db-9876543210");
        var stderr = "deployment.apps/cache configured\n"
            + AsKubectlPrints(AdmissionMessages.NeedsApproval(Change(name: "web"), [Prod], web, webEvaluation, At(1)), "patching")
            + AsKubectlPrints(AdmissionMessages.NeedsApproval(Change(name: "db"), [Prod], db, dbEvaluation, At(1)), "patching");

        var notices = DenialMessageParser.Parse(stderr);

        Assert.Equal(["deployments-web-0123456789", "deployments-db-9876543210"], notices.Select(n => n.Name));
        Assert.All(notices, n => Assert.Equal(DenialKind.NeedsApproval, n.Kind));
    }

    [Fact]
    public void Other_kubectl_errors_are_not_mistaken_for_jit_admission()
    {
        const string stderr = "Error from server (Forbidden): error when creating \"x.yaml\": admission webhook \"policy.example.com\" denied the request: "
            + "images must come from registry.example.com\nerror: unable to recognize \"y.yaml\": no matches for kind \"Foo\"\n";

        Assert.Empty(DenialMessageParser.Parse(stderr));
    }
}
