using System.Text.Json;
using JitAdmission.Core.Admission;
using JitAdmission.Core.Api;
using JitAdmission.Kubernetes.Api;
using JitAdmission.Kubernetes.Audit;
using JitAdmission.Kubernetes.Caching;
using JitAdmission.Kubernetes.Runtime;
using JitAdmission.Webhook.Guard;
using JitAdmission.Webhook.Tests.Infrastructure;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Time.Testing;

namespace JitAdmission.Webhook.Tests.Guard;

/// <summary>The guard and the stamp over a policy cache fed by hand: policy "prod" (group sre approves, Exact).</summary>
internal sealed class GuardWorld : IAdmissionCaches, IDisposable
{
    public const string Operator = "system:serviceaccount:jit-system:jit-admission";

    // Policies missing from the cache are looked up through this client: nothing listens there, so the lookup fails.

    /// <param name="api">Answers the guard's reads from the API server (the chain of an extension); none: nothing listens.</param>
    public GuardWorld(DelegatingHandler? api = null)
    {
        Policies = NoApiServer.Cache<ApprovalPolicy>(ResourceDescriptor.ApprovalPolicies);
        PolicySet = new PolicySetProvider(Policies);
        var identity = new OperatorIdentity(Microsoft.Extensions.Options.Options.Create(new OperatorOptions { Namespace = "jit-system" }));
        identity.Resolve(Operator);
        Requests = NoApiServer.Cache<ApprovalRequest>(ResourceDescriptor.ApprovalRequests).AddStandardIndexes();
        Audit = AuditLog.To(AuditLines, Time);
        var client = api is null ? NoApiServer.Client : new WatchableKubernetes(new KubernetesClientConfiguration { Host = "http://api.test" }, api);
        Guard = new GuardHandler(PolicySet, this, new JitClient(client), identity, Audit,
            Microsoft.Extensions.Options.Options.Create(Gate), Time);
        Stamp = new StampHandler(Time);
        Policies.Upsert(new ApprovalPolicy
        {
            Metadata = new V1ObjectMeta { Name = "prod", Uid = "p-1", Generation = 1, ResourceVersion = "1" },
            Spec = new ApprovalPolicySpec
            {
                Match = new PolicyMatch { Resources = [new ResourceRule { ApiGroups = ["apps"], Resources = ["deployments"], Operations = ["UPDATE"] }] },
                Approval = new ApprovalSettings { Approvers = [new ApproverRule { Name = "sre", Groups = ["sre"] }] },
            },
        });
    }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
    public ResourceCache<ApprovalPolicy> Policies { get; }

    /// <summary>The requests the guard sees (for the cap on Pending requests per requester).</summary>
    public ResourceCache<ApprovalRequest> Requests { get; }

    public JitAdmission.Webhook.Gating.GateOptions Gate { get; } = new();

    /// <summary>The audit lines the guard wrote (JSON, one per line).</summary>
    public MemoryStream AuditLines { get; } = new();

    public AuditLog Audit { get; }

    bool IAdmissionCaches.IsSynced => true;
    public PolicySetProvider PolicySet { get; }
    public GuardHandler Guard { get; }
    public StampHandler Stamp { get; }

    /// <summary>A request the webhook made for alice's change, as JSON (reviews as given).</summary>
    public static string Request(string reviews = "[]", bool withReviews = true) =>
        "{\"apiVersion\":\"jitadmission.io/v1alpha1\",\"kind\":\"ApprovalRequest\","
        + "\"metadata\":{\"name\":\"deployments-web-0123456789\",\"namespace\":\"prod\",\"creationTimestamp\":\"2026-03-01T11:59:00Z\",\"resourceVersion\":\"7\"},"
        + "\"spec\":{\"policies\":[\"prod\"],\"requester\":{\"username\":\"alice\",\"groups\":[\"devs\"]},"
        + "\"action\":{\"operation\":\"UPDATE\",\"group\":\"apps\",\"version\":\"v1\",\"resource\":\"deployments\",\"namespace\":\"prod\",\"name\":\"web\"},"
        + $"\"fingerprint\":\"{new string('a', 64)}\",\"scope\":\"Exact\"" + (withReviews ? ",\"reviews\":" + reviews : "") + "}}";

    public static string Policy(string name, string approval) =>
        "{\"apiVersion\":\"jitadmission.io/v1alpha1\",\"kind\":\"ApprovalPolicy\",\"metadata\":{\"name\":\"" + name + "\"},"
        + "\"spec\":{\"match\":{\"resources\":[{\"apiGroups\":[\"apps\"],\"resources\":[\"deployments\"],\"operations\":[\"UPDATE\"]}]},"
        + "\"approval\":" + approval + "}}";

    public static AdmissionAttributes Write(string operation, string resource, string? obj, string? old, string user, string[] groups, string subResource = "") => new()
    {
        Uid = "uid-1",
        Operation = operation,
        Resource = new GroupVersionResource(ApiConstants.Group, ApiConstants.Version, resource),
        SubResource = subResource,
        Namespace = resource == ApiConstants.PolicyPlural ? "" : "prod",
        Name = Name(obj ?? old),
        UserInfo = new UserInfo(user, "u-" + user, groups),
        Object = obj is null ? RawObject.None : RawObject.FromJson(obj),
        OldObject = old is null ? RawObject.None : RawObject.FromJson(old),
    };

    private static string Name(string? json) =>
        json is null ? "" : JsonDocument.Parse(json).RootElement.GetProperty("metadata").GetProperty("name").GetString()!;

    public void Dispose() => PolicySet.Dispose();
}
