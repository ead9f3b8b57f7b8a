using JitAdmission.Cli.Commands;
using JitAdmission.Cli.Kube;
using JitAdmission.Cli.Model;
using JitAdmission.Core.Api;
using JitAdmission.Core.Guard;
using static JitAdmission.Cli.Tests.TestSupport.Requests;

namespace JitAdmission.Cli.Tests;

/// <summary>kubectl jit request builds what jit-admission's guard accepts from the caller: for themselves, no fingerprint, no reviews, no status.</summary>
public class AheadOfTimeRequestTests
{
    private static readonly ApprovalPolicy Exec = Policy("prod-exec", a => a.Scope = ApprovalScope.Grant);
    private static readonly ApprovalPolicy Deploy = Policy("prod-deploy", a => a.Scope = ApprovalScope.Object);
    private static readonly ResolvedResource Deployments = new("apps", "v1", "deployments", "Deployment", Namespaced: true);
    private static readonly ResolvedResource Namespaces = new("", "v1", "namespaces", "Namespace", Namespaced: false);

    private static AheadOfTimeAsk Ask(ApprovalScope scope, string policy, ResolvedResource? resource = null, string? name = null, bool limit = true) =>
        new([policy], "debug the outage", scope, "prod", resource, name, limit, BreakGlass: false, RequestName: null);

    [Fact]
    public void A_grant_is_for_the_caller_limited_to_the_namespace_and_passes_the_guard()
    {
        var me = Caller("alice", "devs");
        var typed = AheadOfTimeRequest.Build(Ask(ApprovalScope.Grant, "prod-exec"), me);

        Assert.Equal("alice-prod-exec-", typed.Metadata.GenerateName);
        Assert.Null(typed.Metadata.Name);
        Assert.Equal("alice", typed.Spec.Requester.Username);
        Assert.Equal("alice-uid", typed.Spec.Requester.Uid);
        Assert.Equal(me.Groups, typed.Spec.Requester.Groups);
        Assert.Equal("*", typed.Spec.Action.Operation);
        Assert.Equal("prod", typed.Spec.Action.Namespace);
        Assert.Equal(ApprovalScope.Grant, typed.Spec.Scope);
        Assert.Empty(typed.Spec.Fingerprint);
        Assert.Empty(typed.Spec.Reviews);
        Assert.Null(typed.Status);
        Assert.Null(typed.Spec.Object);
        Assert.Empty(typed.Spec.Change);
        Assert.Empty(RequestGuard.ValidateCreate(typed, me.ToUserInfo(), n => n == "prod-exec" ? Exec : null, isOperator: false, At(0)));
    }

    [Fact]
    public void An_object_request_names_the_resolved_object_and_passes_the_guard()
    {
        var me = Caller("alice", "devs");
        var typed = AheadOfTimeRequest.Build(Ask(ApprovalScope.Object, "prod-deploy", Deployments, "web"), me);

        Assert.Equal(("apps", "v1", "deployments", "Deployment", "prod", "web"),
            (typed.Spec.Action.Group, typed.Spec.Action.Version, typed.Spec.Action.Resource, typed.Spec.Action.Kind, typed.Spec.Action.Namespace, typed.Spec.Action.Name));
        Assert.Empty(RequestGuard.ValidateCreate(typed, me.ToUserInfo(), n => n == "prod-deploy" ? Deploy : null, isOperator: false, At(0)));
    }

    [Fact]
    public void Cluster_scoped_objects_and_any_namespace_grants_are_not_limited_to_a_namespace()
    {
        Assert.Null(AheadOfTimeRequest.TargetNamespace(Ask(ApprovalScope.Object, "p", Namespaces, "prod")));
        Assert.Null(AheadOfTimeRequest.TargetNamespace(Ask(ApprovalScope.Grant, "p", limit: false)));
        Assert.Equal("prod", AheadOfTimeRequest.TargetNamespace(Ask(ApprovalScope.Object, "p", Deployments, "web")));
    }

    [Theory]
    [InlineData("alice", "prod-exec", "alice-prod-exec-")]
    [InlineData("Alice@Example.com", "prod", "alice-example-com-prod-")]
    [InlineData("system:serviceaccount:ci:deployer", "prod", "deployer-prod-")]
    public void Generated_names_are_readable_dns_labels(string user, string policy, string expected)
    {
        Assert.Equal(expected, AheadOfTimeRequest.GenerateName(user, policy));
    }

    [Fact]
    public void Policies_may_be_comma_separated_or_repeated()
    {
        Assert.Equal(["a", "b", "c"], RequestCommand.SplitPolicies(["a,b", " c ", "a"]));
    }

    [Theory]
    [InlineData("deployments", "deployments", null, null)]
    [InlineData("deploy/web", "deploy", null, "web")]
    [InlineData("deployments.apps/web", "deployments", "apps", "web")]
    [InlineData("deployments.v1.apps", "deployments", "apps", null)]
    [InlineData("Deployment", "Deployment", null, null)]
    public void Resource_types_are_read_as_kubectl_writes_them(string text, string type, string? group, string? name)
    {
        Assert.Equal((type, group, name), ResourceResolver.Parse(text));
    }
}
