using System.Globalization;
using System.Text.Json;

namespace JitAdmission.Integration.Tests.Controller.Support;

/// <summary>YAML and patches as a user types them for kubectl.</summary>
public static class Manifests
{
    public static string Policy(
        string name, string group = "sre", int min = 1, string ttl = "1h", string validFor = "15m", string? condition = null,
        string? notifyUrl = null, string[]? notifyEvents = null) =>
        $"""
        apiVersion: jitadmission.io/v1alpha1
        kind: ApprovalPolicy
        metadata:
          name: {name}
        spec:
          match:
            resources:
              - apiGroups: [apps]
                resources: [deployments]
                operations: [UPDATE]
        {(condition is null ? "" : $"  conditions:\n    - name: check\n      expression: {JsonSerializer.Serialize(condition)}\n")}  approval:
            approvers:
              - name: {group}
                groups: [{group}]
                minApprovals: {min}
            requestTTL: {ttl}
            validFor: {validFor}
        {(notifyUrl is null ? "" : $"  notify:\n    - url: {notifyUrl}\n      events: [{string.Join(", ", notifyEvents ?? [])}]\n")}
        """;

    public static string Request(string ns, string name, string policy, string requester = "alice", string reason = "roll out the hotfix") =>
        $"""
        apiVersion: jitadmission.io/v1alpha1
        kind: ApprovalRequest
        metadata:
          name: {name}
          namespace: {ns}
        spec:
          policies: [{policy}]
          requester:
            username: {requester}
            groups: [dev]
          action:
            operation: UPDATE
            group: apps
            version: v1
            resource: deployments
            kind: Deployment
            namespace: {ns}
            name: web
          fingerprint: {new string('b', 64)}
          scope: Exact
          reason: {JsonSerializer.Serialize(reason)}
          reviews: []
        """;

    /// <summary>The JSON patch a reviewer types (docs/semantics.md): the stamping webhook adds groups and time.</summary>
    public static string PlainReview(string reviewer, string decision, string? comment = null)
    {
        var value = new Dictionary<string, object> { ["reviewer"] = reviewer, ["decision"] = decision };
        if (comment is not null) value["comment"] = comment;
        return JsonSerializer.Serialize(new[] { new { op = "add", path = "/spec/reviews/-", value } });
    }

    /// <summary>The JSON patch that appends a review, with the groups and time the stamping webhook would add.</summary>
    public static string Review(string reviewer, string decision, string[] groups, DateTimeOffset time, string? comment = null)
    {
        var value = new Dictionary<string, object>
        {
            ["reviewer"] = reviewer,
            ["decision"] = decision,
            ["groups"] = groups,
            ["time"] = time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
        };
        if (comment is not null) value["comment"] = comment;
        return JsonSerializer.Serialize(new[] { new { op = "add", path = "/spec/reviews/-", value } });
    }
}
