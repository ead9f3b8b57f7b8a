using System.Text.Json;
using JitAdmission.Cli.Kube;
using JitAdmission.Core.Admission;
using JitAdmission.Core.Api;
using JitAdmission.Core.Approval;
using k8s;
using k8s.Models;

namespace JitAdmission.Cli.Tests.TestSupport;

/// <summary>Builders for policies, requests and admission attributes, as the API server would hold them.</summary>
internal static class Requests
{
    public static readonly DateTimeOffset T0 = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    public static DateTimeOffset At(int minutes, int seconds = 0) => T0.AddMinutes(minutes).AddSeconds(seconds);

    /// <summary>Policy "prod": entries sre (group sre) and security (group security), Exact scope unless configured.</summary>
    public static ApprovalPolicy Policy(string name = "prod", Action<ApprovalSettings>? configure = null)
    {
        var approval = new ApprovalSettings
        {
            Approvers =
            [
                new ApproverRule { Name = "sre", Groups = ["sre"] },
                new ApproverRule { Name = "security", Groups = ["security"] },
            ],
        };
        configure?.Invoke(approval);
        return new ApprovalPolicy { Metadata = new V1ObjectMeta { Name = name }, Spec = new ApprovalPolicySpec { Approval = approval } };
    }

    public static PolicySnapshot Policies(params ApprovalPolicy[] policies) => new(policies, null);

    public static readonly PolicySnapshot Unreadable = new(null, "approvalpolicies.jitadmission.io is forbidden");

    public static ApprovalRequest Request(
        string name = "deployments-web-0123456789", string requester = "alice", DateTimeOffset? created = null,
        ApprovalScope scope = ApprovalScope.Exact, string[]? policies = null, params Review[] reviews) => new()
        {
            Metadata = new V1ObjectMeta
            {
                Name = name,
                NamespaceProperty = "prod",
                CreationTimestamp = TimeText.ToApi(created ?? T0),
                Generation = 1 + reviews.Length,
                ResourceVersion = "100",
            },
            Spec = new ApprovalRequestSpec
            {
                Policies = [.. policies ?? ["prod"]],
                Requester = new Requester { Username = requester, Groups = ["devs"] },
                Action = new RequestedAction
                {
                    Operation = "UPDATE", Group = "apps", Version = "v1", Resource = "deployments", Kind = "Deployment",
                    Namespace = "prod", Name = "web",
                },
                Fingerprint = scope == ApprovalScope.Exact ? new string('a', 64) : "",
                Scope = scope,
                Reason = "roll out 1.2.3",
                Change = "spec.replicas: 3 -> 30",
                Reviews = [.. reviews],
            },
        };

    public static Review Approve(string reviewer, DateTimeOffset time, params string[] groups) =>
        new() { Reviewer = reviewer, Decision = ReviewDecision.Approve, Groups = [.. groups], Time = TimeText.ToApi(time) };

    public static Review Deny(string reviewer, DateTimeOffset time, string comment, params string[] groups) =>
        new() { Reviewer = reviewer, Decision = ReviewDecision.Deny, Comment = comment, Groups = [.. groups], Time = TimeText.ToApi(time) };

    /// <summary>The request as the API server would send it (JSON), read back the way the plugin reads it.</summary>
    public static FetchedRequest Fetched(ApprovalRequest request) =>
        new(JsonDocument.Parse(KubernetesJson.Serialize(request)).RootElement);

    /// <summary>The status jit-admission's controller writes for the request at <paramref name="now"/>.</summary>
    public static ApprovalRequest WithControllerStatus(ApprovalRequest request, IReadOnlyList<ApprovalPolicy> policies, DateTimeOffset now)
    {
        request.Status = ApprovalEvaluator.Evaluate(request, policies, now).ToStatus(null, now);
        return request;
    }

    public static AdmissionAttributes Change(string operation = "UPDATE", string resource = "deployments", string ns = "prod", string name = "web") => new()
    {
        Uid = "uid-1",
        Operation = operation,
        Resource = new GroupVersionResource("apps", "v1", resource),
        Namespace = ns,
        Name = name,
        UserInfo = new UserInfo("alice", "alice-uid", ["devs"]),
    };

    public static CallerIdentity Caller(string name, params string[] groups) => new(name, name + "-uid", [.. groups, "system:authenticated"]);
}
