using JitAdmission.Core.Admission;
using JitAdmission.Core.Api;
using JitAdmission.Core.Matching;
using JitAdmission.Core.Tests.TestSupport;
using static JitAdmission.Core.Tests.Admission.EngineWorld;

namespace JitAdmission.Core.Tests.Admission;

/// <summary>What the ApprovalRequest the engine asks the webhook to create says.</summary>
public class AdmissionEngineRequestTests
{
    [Fact]
    public void The_request_describes_the_change_and_its_requester_from_userInfo()
    {
        var world = new EngineWorld
        {
            Change = DefaultChange()
                .By(new UserInfo("alice", "uid-a", ["devs", "system:authenticated"]))
                .Object(Deployment(3, "\"jitadmission.io/reason\":\"  scale for the sale  \"")),
        };

        var request = world.Plan<CreatePlan>().Request;

        var spec = request.Spec;
        Assert.Equal(["p"], spec.Policies);
        Assert.Equal("alice", spec.Requester.Username);
        Assert.Equal("uid-a", spec.Requester.Uid);
        Assert.Equal(["devs", "system:authenticated"], spec.Requester.Groups);
        Assert.Equal(("UPDATE", "apps", "v1", "deployments", "Deployment", "prod", "web"),
            (spec.Action.Operation, spec.Action.Group, spec.Action.Version, spec.Action.Resource, spec.Action.Kind, spec.Action.Namespace, spec.Action.Name));
        Assert.Null(spec.Action.SubResource);
        Assert.Equal(world.Fingerprint, spec.Fingerprint);
        Assert.Equal(ApprovalScope.Exact, spec.Scope);
        Assert.Equal("scale for the sale", spec.Reason);
        Assert.Contains("spec.replicas", spec.Change, StringComparison.Ordinal);
        Assert.False(spec.BreakGlass);
        Assert.Empty(spec.Reviews);
        Assert.Null(request.Status);
    }

    [Fact]
    public void Labels_select_by_fingerprint_requester_and_policy()
    {
        var world = new EngineWorld { Change = DefaultChange().By("system:serviceaccount:ci:deployer", "system:serviceaccounts") };

        var labels = world.Plan<CreatePlan>().Request.Metadata.Labels;

        Assert.Equal(world.Fingerprint[..63], labels[ApiConstants.FingerprintLabel]);
        Assert.Equal("system_serviceaccount_ci_deployer", labels[ApiConstants.RequesterLabel]);
        Assert.Equal("true", labels[ApiConstants.PolicyLabelPrefix + "p"]);
        Assert.All(labels.Values, v => Assert.True(NameRules.IsLabelValue(v), v));
    }

    [Theory]
    [InlineData("a@example.com", "a_example.com")]
    [InlineData("-:weird:-", "weird")]
    [InlineData(":::", "")]
    public void Usernames_become_valid_label_values(string username, string expected)
    {
        Assert.Equal(expected, ApprovalRequestDraft.LabelValue(username));
        Assert.True(ApprovalRequestDraft.LabelValue(new string('x', 100) + username).Length <= 63);
    }

    [Fact]
    public void The_reason_is_bounded()
    {
        var world = new EngineWorld { Change = DefaultChange().Object(Deployment(3, $"\"jitadmission.io/reason\":\"{new string('r', 5000)}\"")) };

        var reason = world.Plan<CreatePlan>().Request.Spec.Reason;

        Assert.Equal(ApiLimits.MaxReasonLength, reason.Length);
        Assert.EndsWith("…", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Requests_for_cluster_scoped_objects_live_in_the_operator_namespace()
    {
        var world = new EngineWorld
        {
            Change = DefaultChange().Resource("rbac.authorization.k8s.io", "v1", "clusterroles").In("").Named("admin")
                .Object("""{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRole","metadata":{"name":"admin"}}"""),
        };
        world.Policies[0] = MatchPolicyBuilder.Policy("p").Rule("rbac.authorization.k8s.io", "clusterroles", "UPDATE").Build();

        var request = world.Plan<CreatePlan>().Request;

        Assert.Equal(OperatorNamespace, request.Metadata.NamespaceProperty);
        Assert.Null(request.Spec.Action.Namespace);
    }

    [Fact]
    public void Requests_for_namespaces_live_in_the_operator_namespace()
    {
        var world = new EngineWorld
        {
            Change = DefaultChange().Operation("DELETE").Resource("", "v1", "namespaces").In("prod").Named("prod")
                .OldObject("""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"prod","uid":"ns-1"}}"""),
        };
        world.Policies[0] = MatchPolicyBuilder.Policy("p").Rule("", "namespaces", "DELETE").Build();

        Assert.Equal(OperatorNamespace, world.Plan<CreatePlan>().Request.Metadata.NamespaceProperty);
    }

    [Fact]
    public void Object_scope_for_a_generated_name_is_approved_as_that_exact_change()
    {
        var world = new EngineWorld
        {
            Change = DefaultChange().Operation("CREATE").Named("")
                .Object("""{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"generateName":"web-","namespace":"prod"}}"""),
        };
        world.Policy(s =>
        {
            s.Match.Resources[0].Operations = ["CREATE"];
            s.Approval.Scope = ApprovalScope.Object;
        });

        Assert.Equal(ApprovalScope.Exact, world.Plan<CreatePlan>().Request.Spec.Scope);
    }

    [Fact]
    public void Exec_is_recorded_with_its_subresource()
    {
        var world = new EngineWorld
        {
            Change = DefaultChange().Operation("CONNECT").Resource("", "v1", "pods", "exec").Kind("", "v1", "PodExecOptions").Named("web-0")
                .Object("""{"kind":"PodExecOptions","apiVersion":"v1","stdin":true,"tty":true,"container":"app","command":["sh"]}"""),
        };
        world.Policies[0] = MatchPolicyBuilder.Policy("p").Rule("", "pods/exec", "CONNECT").With(s => s.Approval.Scope = ApprovalScope.Grant).Build();

        var request = world.Plan<CreatePlan>().Request;

        Assert.Equal(("CONNECT", "pods", "exec", "web-0"), (request.Spec.Action.Operation, request.Spec.Action.Resource, request.Spec.Action.SubResource, request.Spec.Action.Name));
        Assert.Equal(ApprovalScope.Grant, request.Spec.Scope);
        Assert.StartsWith("pods-exec-web-0-", request.Metadata.Name, StringComparison.Ordinal);
    }
}
