using JitAdmission.Core.Admission;
using JitAdmission.Core.Api;
using JitAdmission.Core.Approval;
using k8s.Models;

namespace JitAdmission.Core.Tests.TestSupport;

/// <summary>Builders for policies, requests, reviews and admission requests used by the approval tests.</summary>
internal static class ApprovalFixtures
{
    /// <summary>Creation time of every request unless a test says otherwise.</summary>
    public static readonly DateTimeOffset T0 = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    public static DateTimeOffset At(int minutes, int seconds = 0) => T0.AddMinutes(minutes).AddSeconds(seconds);

    public static ApproverRule Entry(string? name = null, string[]? users = null, string[]? groups = null, int min = 1) =>
        new() { Name = name, Users = [.. users ?? []], Groups = [.. groups ?? []], MinApprovals = min };

    public static ApproverRule Group(string group, int min = 1) => Entry(group, groups: [group], min: min);

    public static ApprovalPolicy Policy(string name, params ApproverRule[] approvers) => Policy(name, null, approvers);

    public static ApprovalPolicy Policy(string name, Action<ApprovalPolicySpec>? configure, params ApproverRule[] approvers)
    {
        var policy = new ApprovalPolicy
        {
            Metadata = new V1ObjectMeta { Name = name },
            Spec = new ApprovalPolicySpec { Approval = new ApprovalSettings { Approvers = [.. approvers] } },
        };
        configure?.Invoke(policy.Spec);
        return policy;
    }

    /// <summary>Entries sre (group sre) and security (group security), one approval each.</summary>
    public static ApprovalPolicy TwoGroups(string name = "prod", Action<ApprovalPolicySpec>? configure = null) =>
        Policy(name, configure, Group("sre"), Group("security"));

    public static ApprovalRequest Request(
        string[] policies, string requester = "alice", ApprovalScope scope = ApprovalScope.Exact, DateTimeOffset? created = null,
        params Review[] reviews) => new()
        {
            Metadata = new V1ObjectMeta
            {
                Name = "deployments-web-0123456789",
                NamespaceProperty = "prod",
                CreationTimestamp = TimeText.ToApi(created ?? T0),
                Generation = 1,
            },
            Spec = new ApprovalRequestSpec
            {
                Policies = [.. policies],
                Requester = new Requester { Username = requester, Groups = ["dev"] },
                Action = new RequestedAction
                {
                    Operation = "UPDATE", Group = "apps", Version = "v1", Resource = "deployments", Kind = "Deployment",
                    Namespace = "prod", Name = "web",
                },
                Fingerprint = scope == ApprovalScope.Exact ? new string('a', 64) : "",
                Scope = scope,
                Reviews = [.. reviews],
            },
        };

    public static Review Approve(string reviewer, DateTimeOffset time, params string[] groups) =>
        new() { Reviewer = reviewer, Decision = ReviewDecision.Approve, Groups = [.. groups], Time = TimeText.ToApi(time) };

    public static Review Deny(string reviewer, DateTimeOffset time, string? comment, params string[] groups) =>
        new() { Reviewer = reviewer, Decision = ReviewDecision.Deny, Comment = comment, Groups = [.. groups], Time = TimeText.ToApi(time) };

    public static UserInfo User(string name, params string[] groups) => new(name, name + "-uid", groups);

    public static AdmissionAttributes Change(
        string operation = "UPDATE", string user = "alice", string? obj = null, string? oldObj = null, string group = "apps",
        string version = "v1", string resource = "deployments", string subResource = "", string ns = "prod", string name = "web",
        string? kind = null, string uid = "uid-1") => new()
        {
            Uid = uid,
            Operation = operation,
            Resource = new GroupVersionResource(group, version, resource),
            SubResource = subResource,
            Kind = kind is null ? null : new GroupVersionKind(group, version, kind),
            Namespace = ns,
            Name = name,
            UserInfo = User(user, "dev"),
            Object = obj is null ? RawObject.None : RawObject.FromJson(obj),
            OldObject = oldObj is null ? RawObject.None : RawObject.FromJson(oldObj),
        };

    public static ApprovalEvaluation Evaluate(ApprovalRequest request, DateTimeOffset now, params ApprovalPolicy[] policies) =>
        ApprovalEvaluator.Evaluate(request, policies, now);
}
