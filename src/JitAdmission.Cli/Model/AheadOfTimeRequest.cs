using System.Text.Json.Nodes;
using JitAdmission.Cli.Kube;
using JitAdmission.Core.Api;
using JitAdmission.Core.Naming;

namespace JitAdmission.Cli.Model;

/// <summary>
/// Builds the ApprovalRequest of an ahead-of-time request (docs/semantics.md "Ahead-of-time requests"): for the caller
/// (requester = their SelfSubjectReview username, uid and groups), operation "*", scope Object or Grant, no fingerprint,
/// no reviews yet, no status.
/// </summary>
internal static class AheadOfTimeRequest
{
    private const int MaxGeneratedPrefix = 52;

    public static JsonObject Body(AheadOfTimeAsk ask, CallerIdentity me)
    {
        ArgumentNullException.ThrowIfNull(ask);
        ArgumentNullException.ThrowIfNull(me);
        var metadata = new JsonObject { ["namespace"] = ask.Namespace };
        if (ask.RequestName is { Length: > 0 } n) metadata["name"] = n;
        else metadata["generateName"] = GenerateName(me.Username, ask.Policies[0]);

        var requester = new JsonObject { ["username"] = me.Username };
        if (me.Uid is { Length: > 0 } uid) requester["uid"] = uid;
        requester["groups"] = new JsonArray([.. me.Groups.Select(g => JsonValue.Create(g))]);

        var action = new JsonObject { ["operation"] = "*" };
        if (ask.Resource is { } r)
        {
            action["group"] = r.Group;
            action["version"] = r.Version;
            action["resource"] = r.Resource;
            action["kind"] = r.Kind;
        }

        var targetNamespace = TargetNamespace(ask);
        if (targetNamespace is not null) action["namespace"] = targetNamespace;
        if (ask.ObjectName is { Length: > 0 } objectName) action["name"] = objectName;

        var spec = new JsonObject
        {
            ["policies"] = new JsonArray([.. ask.Policies.Select(p => JsonValue.Create(p))]),
            ["requester"] = requester,
            ["action"] = action,
            ["scope"] = ask.Scope.ToString(),
            ["reason"] = ask.Reason,
            // Present (and empty) so approvers can append with "add /spec/reviews/-".
            ["reviews"] = new JsonArray(),
        };
        if (ask.BreakGlass) spec["breakGlass"] = true;

        return new JsonObject
        {
            ["apiVersion"] = ApiConstants.ApiVersion,
            ["kind"] = ApiConstants.RequestKind,
            ["metadata"] = metadata,
            ["spec"] = spec,
        };
    }

    /// <summary>The same request as the Core type, to check it with jit-admission's own guard before sending it.</summary>
    public static ApprovalRequest Typed(JsonObject body)
    {
        ArgumentNullException.ThrowIfNull(body);
        return k8s.KubernetesJson.Deserialize<ApprovalRequest>(body.ToJsonString());
    }

    /// <summary>
    /// The namespace the approval is limited to: the request's own for namespaced objects and namespace-limited grants;
    /// none for cluster-scoped objects and for grants asked with --any-namespace.
    /// </summary>
    public static string? TargetNamespace(AheadOfTimeAsk ask)
    {
        ArgumentNullException.ThrowIfNull(ask);
        if (ask.Resource is { Namespaced: false }) return null;
        if (ask.Scope == ApprovalScope.Grant && !ask.LimitToNamespace) return null;
        return ask.Namespace;
    }

    /// <summary>"alice-prod-exec-": readable, DNS-1123, completed by the API server with a random suffix.</summary>
    public static string GenerateName(string username, string policy)
    {
        var user = username.StartsWith("system:serviceaccount:", StringComparison.Ordinal) ? username[(username.LastIndexOf(':') + 1)..] : username;
        var prefix = RequestNaming.Sanitize($"{user}-{policy}");
        if (prefix.Length > MaxGeneratedPrefix) prefix = prefix[..MaxGeneratedPrefix].TrimEnd('-');
        return (prefix.Length == 0 ? "jit" : prefix) + "-";
    }
}
