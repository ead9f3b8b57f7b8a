using System.Net;
using JitAdmission.Cli.Kube;
using JitAdmission.Cli.Tests.TestSupport;
using k8s.Autorest;

namespace JitAdmission.Cli.Tests;

/// <summary>A 403 says which permission was missing and which of the chart's roles grants it, read from the call and the Status's structure.</summary>
public class PermissionAdviceTests
{
    private static HttpOperationException Refused(string method, string path, string status) => new("refused")
    {
        Request = new HttpRequestMessageWrapper(new HttpRequestMessage(new HttpMethod(method), new Uri("https://api.test:6443" + path)), ""),
        Response = new HttpResponseMessageWrapper(new HttpResponseMessage(HttpStatusCode.Forbidden), status),
    };

    private static string RbacStatus(string resource, string group, string name, string message) =>
        FakeApi.Status(403, "Forbidden", message, $$"""{"name":"{{name}}","group":"{{group}}","kind":"{{resource}}"}""");

    [Theory]
    [InlineData("PATCH", "/apis/jitadmission.io/v1alpha1/namespaces/prod/approvalrequests/x", "patch", "jitadmission.io", "approvalrequests", "prod", "x")]
    [InlineData("GET", "/apis/jitadmission.io/v1alpha1/namespaces/prod/approvalrequests", "list", "jitadmission.io", "approvalrequests", "prod", null)]
    [InlineData("GET", "/apis/jitadmission.io/v1alpha1/namespaces/prod/approvalrequests?fieldSelector=metadata.name%3Dx&watch=true", "watch", "jitadmission.io", "approvalrequests", "prod", null)]
    [InlineData("GET", "/prefix/k8s/api/v1/namespaces/prod/secrets/db", "get", "", "secrets", "prod", "db")]
    [InlineData("POST", "/apis/authentication.k8s.io/v1/selfsubjectreviews", "create", "authentication.k8s.io", "selfsubjectreviews", null, null)]
    [InlineData("GET", "/api/v1/namespaces/prod", "get", "", "namespaces", null, "prod")]
    public void The_call_is_read_back_from_the_request_the_plugin_made(string method, string path, string verb, string group, string resource, string? ns, string? name)
    {
        var call = ApiCall.From(method, new Uri("https://api.test:6443" + path))!;

        Assert.Equal((verb, group, resource, ns, name), (call.Verb, call.Group, call.Resource, call.Namespace, call.Name));
    }

    [Theory]
    [InlineData("PATCH", "approvalrequests", "jit-admission-approver", "an approver needs")]
    [InlineData("POST", "approvalrequests", "jit-admission-requester", "a requester needs")]
    [InlineData("GET", "approvalrequests", "jit-admission-viewer", "a reader of approval requests needs")]
    public void Refusals_on_approval_requests_name_the_role_and_the_binding(string method, string resource, string role, string who)
    {
        var path = $"/apis/jitadmission.io/v1alpha1/namespaces/prod/{resource}" + (method == "POST" ? "" : "/x");
        var failure = ApiErrors.Read(Refused(method, path, RbacStatus(resource, "jitadmission.io", method == "POST" ? "" : "x",
            $"{resource}.jitadmission.io \"x\" is forbidden: User \"alice\" cannot do it")))!;

        var text = ApiErrors.Describe(failure, null, "alice");

        Assert.True(failure.IsPermissionDenied);
        Assert.Contains($"you (alice) may not {failure.Call!.Verb} approvalrequests.jitadmission.io", text, StringComparison.Ordinal);
        Assert.Contains($"in namespace prod: {who} the ClusterRole {role} bound in that namespace", text, StringComparison.Ordinal);
        Assert.Contains($"(kubectl create rolebinding {role}-alice --clusterrole={role} --user=alice -n prod)", text, StringComparison.Ordinal);
        Assert.Contains("(the API server said: approvalrequests.jitadmission.io \"x\" is forbidden", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Permissions_jit_admission_does_not_grant_are_said_to_come_from_the_clusters_roles()
    {
        var failure = ApiErrors.Read(Refused("PATCH", "/apis/apps/v1/namespaces/prod/deployments/web",
            RbacStatus("deployments", "apps", "web", "deployments.apps \"web\" is forbidden")))!;

        var text = ApiErrors.Describe(failure, null, null);

        Assert.StartsWith("you may not patch deployments.apps \"web\" in namespace prod: that permission comes from your cluster's own roles", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Reading_policies_needs_a_cluster_wide_binding()
    {
        var failure = ApiErrors.Read(Refused("GET", "/apis/jitadmission.io/v1alpha1/approvalpolicies",
            RbacStatus("approvalpolicies", "jitadmission.io", "", "forbidden")))!;

        var text = ApiErrors.Describe(failure, null, "bob");

        Assert.Contains("you (bob) may not list approvalpolicies.jitadmission.io cluster-wide: a reader of approval policies needs the ClusterRole "
            + "jit-admission-viewer bound cluster-wide", text, StringComparison.Ordinal);
        Assert.Contains("(kubectl create clusterrolebinding jit-admission-viewer-bob --clusterrole=jit-admission-viewer --user=bob)", text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_webhooks_403_is_not_mistaken_for_a_missing_permission()
    {
        // Denied by a webhook: the details (if any) are the webhook's, not RBAC's naming of the called resource.
        var failure = ApiErrors.Read(Refused("PATCH", "/apis/jitadmission.io/v1alpha1/namespaces/prod/approvalrequests/x",
            FakeApi.Status(403, "Forbidden", "admission webhook \"guard.jitadmission.io\" denied the request: you cannot approve your own request")))!;

        Assert.False(failure.IsPermissionDenied);
        Assert.Equal("admission webhook \"guard.jitadmission.io\" denied the request: you cannot approve your own request", ApiErrors.Describe(failure, null, "alice"));
    }

    [Fact]
    public void Every_role_of_the_chart_is_mapped_in_one_place()
    {
        Assert.Equal("jit-admission-requester", PermissionAdvice.RoleFor("jitadmission.io", "approvalrequests", "create")!.Role);
        Assert.Equal("jit-admission-approver", PermissionAdvice.RoleFor("jitadmission.io", "approvalrequests", "patch")!.Role);
        Assert.Equal("jit-admission-viewer", PermissionAdvice.RoleFor("jitadmission.io", "approvalrequests", "watch")!.Role);
        Assert.True(PermissionAdvice.RoleFor("jitadmission.io", "approvalpolicies", "list")!.ClusterWide);
        Assert.Equal("jit-admission-policy-admin", PermissionAdvice.RoleFor("jitadmission.io", "approvalpolicies", "patch")!.Role);
        Assert.Null(PermissionAdvice.RoleFor("jitadmission.io", "approvalrequests", "delete"));
        Assert.Null(PermissionAdvice.RoleFor("", "configmaps", "patch"));
    }
}
