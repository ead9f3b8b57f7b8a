using JitAdmission.Core.Admission;
using JitAdmission.Core.Api;
using JitAdmission.Core.Approval;
using static JitAdmission.Core.Tests.TestSupport.ApprovalFixtures;

namespace JitAdmission.Core.Tests.Approval;

public class ApprovalCoverageTests
{
    private const string Fp = "fp-of-the-change";
    private const string OperatorNamespace = "jit-system";

    private static ApprovalPolicy Scoped(string name, ApprovalScope scope) => Policy(name, s => s.Approval.Scope = scope, Group("sre"));

    /// <summary>An approved request of the given scope by alice for prod/web, under policy "prod" (and any extra).</summary>
    private static (ApprovalRequest Request, ApprovalEvaluation Evaluation) Approved(
        ApprovalScope scope, string? actionNamespace = "prod", string home = "prod", params ApprovalPolicy[] extra)
    {
        ApprovalPolicy[] policies = [Scoped("prod", scope), .. extra];
        var request = Request([.. policies.Select(p => p.Metadata.Name)], scope: scope, reviews: Approve("bob", At(1), "sre"));
        request.Spec.Fingerprint = scope == ApprovalScope.Exact ? Fp : "";
        request.Spec.Action.Namespace = actionNamespace;
        request.Metadata.NamespaceProperty = home;
        if (scope == ApprovalScope.Grant) request.Spec.Action = new RequestedAction { Operation = "*", Namespace = actionNamespace };
        return (request, ApprovalEvaluator.Evaluate(request, policies, At(2)));
    }

    private static AdmissionAttributes Attempt(string user = "alice", string ns = "prod", string name = "web", string resource = "deployments",
        string group = "apps", string operation = "UPDATE", string subResource = "") =>
        Change(operation, user, obj: "{}", group: group, resource: resource, subResource: subResource, ns: ns, name: name);

    public static TheoryData<string, ApprovalScope, string?, string, AdmissionAttributes, string[], string, bool> Cases => new()
    {
        { "Exact: same fingerprint", ApprovalScope.Exact, "prod", "prod", Attempt(), ["prod"], Fp, true },
        { "Exact: other fingerprint", ApprovalScope.Exact, "prod", "prod", Attempt(), ["prod"], "other", false },
        { "Exact: other requester with the same fingerprint", ApprovalScope.Exact, "prod", "prod", Attempt(user: "mallory"), ["prod"], Fp, false },
        { "Exact: a policy matched now that the request does not name", ApprovalScope.Exact, "prod", "prod", Attempt(), ["prod", "freeze"], Fp, false },
        { "Object: same object, other change", ApprovalScope.Object, "prod", "prod", Attempt(), ["prod"], "other", true },
        { "Object: same object, other operation and subresource", ApprovalScope.Object, "prod", "prod", Attempt(operation: "DELETE", subResource: "scale"), ["prod"], "x", true },
        { "Object: other name", ApprovalScope.Object, "prod", "prod", Attempt(name: "api"), ["prod"], "x", false },
        { "Object: other namespace", ApprovalScope.Object, "prod", "prod", Attempt(ns: "staging"), ["prod"], "x", false },
        { "Object: other resource", ApprovalScope.Object, "prod", "prod", Attempt(resource: "statefulsets"), ["prod"], "x", false },
        { "Object: other group", ApprovalScope.Object, "prod", "prod", Attempt(group: "extensions"), ["prod"], "x", false },
        { "Object: other requester", ApprovalScope.Object, "prod", "prod", Attempt(user: "mallory"), ["prod"], "x", false },
        { "Grant: anything the policy matches in its namespace", ApprovalScope.Grant, "prod", "prod", Attempt(name: "api", resource: "configmaps", group: ""), ["prod"], "x", true },
        { "Grant: namespace-restricted, other namespace", ApprovalScope.Grant, "prod", "prod", Attempt(ns: "staging"), ["prod"], "x", false },
        { "Grant: unrestricted in the operator's namespace, any namespace", ApprovalScope.Grant, null, OperatorNamespace, Attempt(ns: "staging"), ["prod"], "x", true },
        { "Grant: unrestricted in the operator's namespace, cluster-scoped object", ApprovalScope.Grant, null, OperatorNamespace, Attempt(ns: "", resource: "namespaces", group: ""), ["prod"], "x", true },
        { "Grant: unrestricted in prod, prod", ApprovalScope.Grant, null, "prod", Attempt(), ["prod"], "x", true },
        { "Grant: unrestricted in prod, another namespace", ApprovalScope.Grant, null, "prod", Attempt(ns: "staging"), ["prod"], "x", false },
        { "Grant: unrestricted in prod, cluster-scoped object", ApprovalScope.Grant, null, "prod", Attempt(ns: "", resource: "namespaces", group: ""), ["prod"], "x", false },
        { "Grant: a matched policy not granted", ApprovalScope.Grant, "prod", "prod", Attempt(), ["prod", "db"], "x", false },
        { "Grant: other requester", ApprovalScope.Grant, "prod", "prod", Attempt(user: "mallory"), ["prod"], "x", false },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Covers_by_scope(
        string what, ApprovalScope scope, string? actionNamespace, string home, AdmissionAttributes attempt, string[] matched, string fingerprint, bool covers)
    {
        var (request, evaluation) = Approved(scope, actionNamespace, home);
        Assert.True(evaluation.IsUsable, what);
        Assert.True(covers == ApprovalCoverage.Covers(request, evaluation, attempt, matched, fingerprint, OperatorNamespace), what);
    }

    [Fact]
    public void Grant_covers_a_subset_of_its_policies()
    {
        var (request, evaluation) = Approved(ApprovalScope.Grant, "prod", "prod", Scoped("db", ApprovalScope.Grant));
        Assert.True(ApprovalCoverage.Covers(request, evaluation, Attempt(), ["db"], "x", OperatorNamespace));
    }

    [Fact]
    public void An_unusable_approval_covers_nothing_but_still_matches()
    {
        var (request, _) = Approved(ApprovalScope.Exact);
        request.Status = new ApprovalRequestStatus { Uses = 1 };
        var spent = ApprovalEvaluator.Evaluate(request, [Scoped("prod", ApprovalScope.Exact)], At(2));

        Assert.Equal(RequestPhase.Consumed, spent.Phase);
        Assert.False(ApprovalCoverage.Covers(request, spent, Attempt(), ["prod"], Fp, OperatorNamespace));
        Assert.True(ApprovalCoverage.Matches(request, spent, Attempt(), ["prod"], Fp, OperatorNamespace));
    }

    [Fact]
    public void A_policy_narrowed_to_Exact_since_the_grant_stops_it()
    {
        var (request, _) = Approved(ApprovalScope.Grant);
        var narrowed = ApprovalEvaluator.Evaluate(request, [Scoped("prod", ApprovalScope.Exact)], At(2));
        Assert.True(narrowed.IsUsable);
        Assert.False(ApprovalCoverage.Covers(request, narrowed, Attempt(), ["prod"], Fp, OperatorNamespace));
    }
}
