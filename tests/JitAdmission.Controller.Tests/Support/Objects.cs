using JitAdmission.Core.Admission;
using JitAdmission.Core.Api;
using JitAdmission.Core.Approval;
using k8s.Models;

namespace JitAdmission.Controller.Tests.Support;

/// <summary>Builders for the policies, requests and reviews the controller tests use.</summary>
public static class Objects
{
    /// <summary>When the tests' clocks start and their requests are created.</summary>
    public static readonly DateTimeOffset T0 = new(2030, 3, 1, 12, 0, 0, TimeSpan.Zero);

    public static ApprovalPolicy Policy(string name, string group = "sre", int min = 1, string ttl = "1h", string validFor = "15m", Action<ApprovalPolicySpec>? configure = null)
    {
        var policy = new ApprovalPolicy
        {
            Metadata = new V1ObjectMeta { Name = name, Generation = 1, Uid = name + "-uid" },
            Spec = new ApprovalPolicySpec
            {
                Match = new PolicyMatch
                {
                    Resources = [new ResourceRule { ApiGroups = ["apps"], Resources = ["deployments"], Operations = ["UPDATE"] }],
                },
                Approval = new ApprovalSettings
                {
                    Approvers = [new ApproverRule { Name = group, Groups = [group], MinApprovals = min }],
                    RequestTtl = ttl,
                    ValidFor = validFor,
                },
            },
        };
        configure?.Invoke(policy.Spec);
        return policy;
    }

    public static ApprovalRequest Request(string ns, string name, DateTimeOffset created, params string[] policies) => new()
    {
        Metadata = new V1ObjectMeta
        {
            Name = name,
            NamespaceProperty = ns,
            Uid = $"{ns}-{name}-uid",
            CreationTimestamp = TimeText.ToApi(created),
            Generation = 1,
            ResourceVersion = "1",
        },
        Spec = new ApprovalRequestSpec
        {
            Policies = [.. policies],
            Requester = new Requester { Username = "alice", Groups = ["dev"] },
            Action = new RequestedAction
            {
                Operation = "UPDATE", Group = "apps", Version = "v1", Resource = "deployments", Kind = "Deployment", Namespace = ns, Name = "web",
            },
            Fingerprint = new string('a', 64),
            Scope = ApprovalScope.Exact,
            Reason = "roll out the hotfix",
        },
    };

    public static Review Approve(string reviewer, DateTimeOffset time, params string[] groups) =>
        new() { Reviewer = reviewer, Decision = ReviewDecision.Approve, Groups = [.. groups], Time = TimeText.ToApi(time) };

    public static Review Deny(string reviewer, DateTimeOffset time, string comment, params string[] groups) =>
        new() { Reviewer = reviewer, Decision = ReviewDecision.Deny, Comment = comment, Groups = [.. groups], Time = TimeText.ToApi(time) };

    /// <summary>The change a held call lets through (UPDATE deployments/web in shop).</summary>
    public static AdmissionAttributes Admission(string user) => new()
    {
        Uid = "u1",
        Operation = "UPDATE",
        Resource = new GroupVersionResource("apps", "v1", "deployments"),
        Namespace = "shop",
        Name = "web",
        UserInfo = new UserInfo(user, null, []),
    };
}
