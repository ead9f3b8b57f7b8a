using JitAdmission.Core.Text;
using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using JitAdmission.Core.Api;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace JitAdmission.Benchmarks.Orchestration;

/// <summary>The objects of the benchmark in the sandbox: CRDs, namespaces, policies, ApprovalRequests, reviews.</summary>
public static class Cluster
{
    public const string Group = ApiConstants.Group;
    public const string Version = ApiConstants.Version;

    /// <summary>The namespace policy <c>i</c> gates (one team per policy).</summary>
    public static string TeamNamespace(int i) => "team-" + i.ToString("D4", CultureInfo.InvariantCulture);

    public static string PolicyName(int i) => "policy-" + i.ToString("D4", CultureInfo.InvariantCulture);

    public static async Task InstallCrdsAsync(IKubernetes admin, string crdDirectory)
    {
        foreach (var file in Directory.GetFiles(crdDirectory, "*.yaml").Order(StringComparer.Ordinal))
        {
            var crd = KubernetesJson.Deserialize<V1CustomResourceDefinition>(YamlToJson.ParseSingleObject(await File.ReadAllTextAsync(file)).ToJsonString());
            await admin.ApiextensionsV1.CreateCustomResourceDefinitionAsync(crd);
        }

        await Poll.UntilAsync(async () =>
        {
            var list = await admin.ApiextensionsV1.ListCustomResourceDefinitionAsync();
            return list.Items.Count(c => c.Spec.Group == Group && c.Status?.Conditions?.Any(x => x.Type == "Established" && x.Status == "True") == true) >= 2;
        }, TimeSpan.FromSeconds(30), "the CRDs are Established");
    }

    public static async Task NamespaceAsync(IKubernetes admin, string name)
    {
        try
        {
            await admin.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = name, Labels = new Dictionary<string, string> { ["bench"] = "true" } } });
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
        {
        }
    }

    /// <summary>
    /// Policy <c>i</c>: per-team gating of Deployment changes, as a cluster with many teams would have it. Every policy
    /// gates the same resource (the index's worst case: all of them are candidates for any Deployment request) and is
    /// narrowed by namespace; it has one CEL condition (the pod template changed), Grant scope for JIT access.
    /// </summary>
    public static JsonNode Policy(int i) => JsonNode.Parse($$$"""
        {
          "apiVersion": "{{{ApiConstants.ApiVersion}}}",
          "kind": "ApprovalPolicy",
          "metadata": {"name": "{{{PolicyName(i)}}}", "labels": {"bench": "true"}},
          "spec": {
            "match": {
              "resources": [{"apiGroups": ["apps"], "resources": ["deployments", "deployments/scale"], "operations": ["UPDATE", "DELETE"]}],
              "namespaces": ["{{{TeamNamespace(i)}}}"],
              "subjects": {"exclude": [{"kind": "Group", "name": "ci-robots"}]}
            },
            "conditions": [{"name": "template-changed", "expression": "object == null || oldObject == null || object.spec.template != oldObject.spec.template"}],
            "approval": {
              "approvers": [{"name": "sre", "groups": ["bench-approvers"], "minApprovals": 1}],
              "scope": "Grant",
              "requestTTL": "2h",
              "validFor": "2h",
              "wait": "10s"
            },
            "enforcement": "Enforce",
            "message": "Changes to team {{{i}}} deployments need an SRE."
          }
        }
        """)!;

    /// <summary>The policy of the held-call measurement: every ConfigMap created in <paramref name="ns"/> needs approval (Exact).</summary>
    public static JsonNode HeldPolicy(string name, string ns) => JsonNode.Parse($$$"""
        {
          "apiVersion": "{{{ApiConstants.ApiVersion}}}",
          "kind": "ApprovalPolicy",
          "metadata": {"name": "{{{name}}}"},
          "spec": {
            "match": {
              "resources": [{"apiGroups": [""], "resources": ["configmaps"], "operations": ["CREATE"]}],
              "namespaces": ["{{{ns}}}"]
            },
            "approval": {
              "approvers": [{"name": "sre", "groups": ["bench-approvers"]}],
              "scope": "Exact",
              "requestTTL": "10m",
              "validFor": "5m",
              "wait": "20s"
            }
          }
        }
        """)!;

    /// <summary>An ahead-of-time Grant request (<c>kubectl jit request</c>), created by the requester themself.</summary>
    public static JsonNode GrantRequest(string name, string ns, string policy, string requester, string[] groups) => new JsonObject
    {
        ["apiVersion"] = ApiConstants.ApiVersion,
        ["kind"] = ApiConstants.RequestKind,
        ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns },
        ["spec"] = new JsonObject
        {
            ["policies"] = new JsonArray(policy),
            ["requester"] = new JsonObject { ["username"] = requester, ["groups"] = new JsonArray([.. groups.Select(g => JsonValue.Create(g))]) },
            ["action"] = new JsonObject { ["operation"] = "*", ["group"] = "apps", ["version"] = "v1", ["resource"] = "deployments", ["kind"] = "Deployment", ["namespace"] = ns },
            ["scope"] = "Grant",
            ["reason"] = "benchmark: roll out the CVE fix",
            ["reviews"] = new JsonArray(),
        },
    };

    public static async Task CreatePolicyAsync(IKubernetes admin, JsonNode policy)
    {
        try
        {
            await admin.CustomObjects.CreateClusterCustomObjectAsync(policy, Group, Version, ApiConstants.PolicyPlural);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
        {
        }
    }

    public static Task CreateRequestAsync(IKubernetes client, JsonNode request) =>
        client.CustomObjects.CreateNamespacedCustomObjectAsync(request, Group, Version, request["metadata"]!["namespace"]!.GetValue<string>(), ApiConstants.RequestPlural);

    /// <summary>The approval patch from the docs, as the approver.</summary>
    public static Task ApproveAsync(IKubernetes approver, string ns, string name, string reviewer) =>
        approver.CustomObjects.PatchNamespacedCustomObjectAsync(
            new V1Patch($$$"""[{"op":"add","path":"/spec/reviews/-","value":{"reviewer":"{{{reviewer}}}","decision":"Approve","comment":"benchmark"}}]""", V1Patch.PatchType.JsonPatch),
            Group, Version, ns, ApiConstants.RequestPlural, name);

    public static async Task<ApprovalRequest> GetRequestAsync(IKubernetes admin, string ns, string name) =>
        await admin.CustomObjects.GetNamespacedCustomObjectAsync<ApprovalRequest>(Group, Version, ns, ApiConstants.RequestPlural, name);

    public static async Task<List<ApprovalPolicy>> PoliciesAsync(IKubernetes admin) =>
        [.. (await admin.CustomObjects.ListClusterCustomObjectAsync<ApprovalPolicyList>(Group, Version, ApiConstants.PolicyPlural)).Items];

    /// <summary>Runs <paramref name="work"/> for 0..count-1 with at most <paramref name="parallel"/> in flight.</summary>
    public static Task ForEachAsync(int from, int to, int parallel, Func<int, Task> work) =>
        Parallel.ForEachAsync(Enumerable.Range(from, to - from), new ParallelOptions { MaxDegreeOfParallelism = parallel }, async (i, _) => await work(i));
}

public static class Poll
{
    public static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what, TimeSpan? interval = null)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var deadline = DateTime.UtcNow + timeout;
        Exception? last = null;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                if (await condition()) return;
            }
            catch (Exception e) when (e is HttpOperationException or HttpRequestException or IOException)
            {
                last = e;
            }

            await Task.Delay(interval ?? TimeSpan.FromMilliseconds(100));
        }

        throw new TimeoutException($"timed out after {timeout.TotalSeconds:0}s waiting until {what}" + (last is null ? "" : $" (last error: {last.Message})"));
    }
}
