using System.Text.Json.Nodes;
using JitAdmission.Benchmarks.Orchestration;
using JitAdmission.Benchmarks.Payloads;
using JitAdmission.Core.Admission;
using JitAdmission.Core.Api;
using JitAdmission.Core.Matching;
using JitAdmission.Webhook.Review;

namespace JitAdmission.Benchmarks.Micro;

/// <summary>The same policies and AdmissionReviews as the load scenarios, built in memory.</summary>
internal static class Fixtures
{
    public const string Requester = "bench-requester";
    public static readonly DateTimeOffset Now = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);

    public static readonly IClusterContext ClusterContext = InMemoryClusterContext.Empty
        .WithNamespace("unmatched", new Dictionary<string, string> { ["bench"] = "true" })
        .WithNamespace(Cluster.TeamNamespace(0), new Dictionary<string, string> { ["bench"] = "true" });

    public static PolicySet Policies(int count) =>
        PolicySet.Build(Enumerable.Range(0, count).Select(i =>
        {
            var policy = k8s.KubernetesJson.Deserialize<ApprovalPolicy>(Cluster.Policy(i).ToJsonString());
            policy.Metadata.Uid = $"uid-{i}";
            policy.Metadata.Generation = 1;
            return policy;
        }));

    public static byte[] Body(string kind, string ns, int objectBytes) =>
        AdmissionReviews.Build(new ReviewSpec(kind, ns, kind == ReviewSpec.Deployment ? "web" : "settings", Requester, ["bench-devs"], objectBytes));

    public static AdmissionAttributes Read(byte[] body) =>
        AdmissionReviewReader.TryRead(body, out var request, out var error)
            ? request
            : throw new InvalidOperationException("cannot read the review: " + error.Message);

    /// <summary>The same request with fresh (unparsed) objects, as each real request arrives.</summary>
    public static AdmissionAttributes Fresh(AdmissionAttributes r) => new()
    {
        Uid = r.Uid,
        Operation = r.Operation,
        Resource = r.Resource,
        SubResource = r.SubResource,
        Kind = r.Kind,
        Namespace = r.Namespace,
        Name = r.Name,
        UserInfo = r.UserInfo,
        DryRun = r.DryRun,
        Object = new RawObject(r.Object.Utf8),
        OldObject = new RawObject(r.OldObject.Utf8),
        Options = new RawObject(r.Options.Utf8),
    };

    /// <summary>The approved Grant of the consume scenario, as the webhook's cache holds it.</summary>
    public static ApprovalRequest ApprovedGrant()
    {
        var node = Cluster.GrantRequest("bench-grant", Cluster.TeamNamespace(0), Cluster.PolicyName(0), Requester, ["bench-devs"]);
        var reviews = node["spec"]!["reviews"]!.AsArray();
        reviews.Add(new JsonObject
        {
            ["reviewer"] = "bench-approver",
            ["decision"] = "Approve",
            ["groups"] = new JsonArray("bench-approvers"),
            ["time"] = Now.AddMinutes(-5).UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture),
        });
        var request = k8s.KubernetesJson.Deserialize<ApprovalRequest>(node.ToJsonString());
        request.Metadata.CreationTimestamp = Now.AddMinutes(-10).UtcDateTime;
        request.Metadata.ResourceVersion = "1000";
        request.Metadata.Uid = "grant-uid";
        return request;
    }

    public static readonly GateSettings Settings = new() { OperatorNamespace = "jit-bench" };

    public sealed class Lookup(IReadOnlyList<ApprovalRequest> byRequester) : IApprovalLookup
    {
        public ApprovalRequest? Get(string @namespace, string name) =>
            byRequester.FirstOrDefault(r => r.Metadata.NamespaceProperty == @namespace && r.Metadata.Name == name);

        public IReadOnlyList<ApprovalRequest> ByFingerprint(string fingerprint) => [];

        public IReadOnlyList<ApprovalRequest> InChangeSets(string fingerprint) => [];

        public IReadOnlyList<ApprovalRequest> ChangeSetsFor(string group, string resource, string @namespace, string name) => [];

        public IReadOnlyList<ApprovalRequest> ByObject(string group, string resource, string @namespace, string name) => [];

        public IReadOnlyList<ApprovalRequest> ByRequester(string username) => username == Requester ? byRequester : [];
    }
}
