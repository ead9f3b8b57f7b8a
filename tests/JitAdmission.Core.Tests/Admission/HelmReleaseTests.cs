using System.IO.Compression;
using System.Text.Json;
using JitAdmission.Core.Admission;
using JitAdmission.Core.Api;
using JitAdmission.Core.Approval;
using JitAdmission.Core.Changes;
using JitAdmission.Core.Tests.TestSupport;

namespace JitAdmission.Core.Tests.Admission;

/// <summary>
/// Helm releases through the gate: the release record asks for the revision's gated objects as one change set, and
/// each object Helm then applies uses it when it is exactly the manifest object. Attacks first: another requester, a
/// changed value, an extra field, a record that cannot be read.
/// </summary>
public class HelmReleaseTests
{
    private const string Manifest = """
        ---
        # Source: demo/templates/cms.yaml
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: one}
        data: {v: "a"}
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: two}
        data: {v: "2"}
        ---
        apiVersion: v1
        kind: ServiceAccount
        metadata: {name: deployer}
        """;

    /// <summary>Policy p gates ConfigMap creates and updates in prod (approvers: group sre).</summary>
    private static EngineWorld World()
    {
        var world = new EngineWorld();
        world.Policies[0] = MatchPolicyBuilder.Policy("p").Rule("", "configmaps", "CREATE", "UPDATE").Namespaces("prod").Build();
        return world;
    }

    private static string Record(string manifest, string status = "pending-install", int revision = 1)
    {
        var release = JsonSerializer.Serialize(new Dictionary<string, object> { ["name"] = "demo", ["namespace"] = "prod", ["version"] = revision, ["manifest"] = manifest });
        using var gzipped = new MemoryStream();
        using (var gzip = new GZipStream(gzipped, CompressionLevel.Fastest, leaveOpen: true)) gzip.Write(System.Text.Encoding.UTF8.GetBytes(release));
        var helmText = Convert.ToBase64String(gzipped.ToArray());
        var data = Convert.ToBase64String(System.Text.Encoding.ASCII.GetBytes(helmText));
        return "{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"type\":\"helm.sh/release.v1\",\"metadata\":{\"name\":\"sh.helm.release.v1.demo.v" + revision
            + "\",\"namespace\":\"prod\",\"labels\":{\"name\":\"demo\",\"owner\":\"helm\",\"status\":\"" + status + "\",\"version\":\"" + revision
            + "\"}},\"data\":{\"release\":\"" + data + "\"}}";
    }

    private static MatchRequestBuilder RecordWrite(string manifest = Manifest, string user = "alice") =>
        MatchRequestBuilder.Update().Operation("CREATE").Resource("", "v1", "secrets").Kind("", "v1", "Secret").In("prod")
            .Named("sh.helm.release.v1.demo.v1").By(user, "devs").Object(Record(manifest));

    /// <summary>ConfigMap one as helm 4 applies it: server-side, manager helm, the release metadata added.</summary>
    private static MatchRequestBuilder HelmApply(string value = "a", string extraData = "", string extraFields = "", string user = "alice") =>
        MatchRequestBuilder.Update().Operation("CREATE").Resource("", "v1", "configmaps").Kind("", "v1", "ConfigMap").In("prod").Named("one")
            .By(user, "devs").Object(
                "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"one\",\"namespace\":\"prod\","
                + "\"annotations\":{\"meta.helm.sh/release-name\":\"demo\",\"meta.helm.sh/release-namespace\":\"prod\"},\"labels\":{\"app.kubernetes.io/managed-by\":\"Helm\"},"
                + "\"managedFields\":[{\"manager\":\"helm\",\"operation\":\"Apply\",\"apiVersion\":\"v1\",\"fieldsV1\":{\"f:data\":{\"f:v\":{}" + extraFields + "},"
                + "\"f:metadata\":{\"f:annotations\":{\"f:meta.helm.sh/release-name\":{},\"f:meta.helm.sh/release-namespace\":{}},\"f:labels\":{\"f:app.kubernetes.io/managed-by\":{}}}}}]},"
                + "\"data\":{\"v\":\"" + value + "\"" + extraData + "}}");

    private static ApprovalRequest ApprovedSet(EngineWorld world)
    {
        world.Change = RecordWrite();
        var set = world.Plan<CreatePlan>().Request;
        set.Metadata.CreationTimestamp = TimeText.ToApi(EngineWorld.Created);
        set.Metadata.ResourceVersion = "40";
        set.Spec.Reviews.Add(EngineWorld.ApprovedByBob());
        world.Requests.Add(set);
        return set;
    }

    [Fact]
    public void The_record_asks_for_the_gated_objects_of_the_revision_as_one_set_before_helm_writes_any()
    {
        var world = World();
        world.Change = RecordWrite();
        var plan = world.Plan<CreatePlan>();
        var set = plan.Request.Spec;
        Assert.Equal(("demo", "prod", 1), (set.ChangeSet!.Helm!.Release, set.ChangeSet.Helm.Namespace, set.ChangeSet.Helm.Revision));
        Assert.Equal(["one", "two"], set.ChangeSet.Objects.Select(o => o.Name));
        Assert.All(set.ChangeSet.Objects, o => Assert.Equal(("APPLY", "configmaps", "prod"), (o.Operation, o.Resource, o.Namespace)));
        Assert.Equal(["p"], set.Policies);
        Assert.Equal("prod", plan.Request.Metadata.NamespaceProperty);
        Assert.StartsWith("helm-release-demo-", plan.Request.Metadata.Name, StringComparison.Ordinal);
        Assert.Equal("HELM demo v1: 2 objects", ApprovalEvaluator.ActionText(set));
        Assert.Equal("Helm", set.ChangeSet.Objects[0].Object!.Value.GetProperty("metadata").GetProperty("labels").GetProperty("app.kubernetes.io/managed-by").GetString());
    }

    [Fact]
    public void A_record_without_gated_objects_goes_through_and_a_deployed_record_is_not_read()
    {
        var world = World();
        world.Change = RecordWrite(manifest: "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: deployer}\n");
        Assert.True(world.Verdict().Allowed);
        world.Change = RecordWrite().Object(Record(Manifest, status: "deployed"));
        Assert.True(world.Verdict().Allowed);
    }

    [Fact]
    public void An_approved_set_lets_the_record_through_and_each_object_helm_applies_exactly_once()
    {
        var world = World();
        var set = ApprovedSet(world);

        world.Change = RecordWrite();
        Assert.True(world.Verdict().Allowed);

        world.Change = HelmApply();
        var use = world.Plan<ConsumePlan>();
        Assert.Same(set, use.Approval);
        Assert.Equal(set.Spec.ChangeSet!.Objects[0].Fingerprint, use.UsedEntry);
        set.Status = ApprovalUse.Record(new ApprovalRequestStatus(), use.Evaluation, world.Attributes, world.Now, use.UsedEntry);
        Assert.IsType<CreatePlan>(world.Plan()); // the same object again: used
    }

    [Theory]
    [InlineData("b", "", "")]
    [InlineData("a", ",\"extra\":\"x\"", ",\"f:extra\":{}")]
    public void A_write_that_is_not_exactly_the_approved_manifest_object_needs_its_own_approval(string value, string extraData, string extraFields)
    {
        var world = World();
        ApprovedSet(world);
        world.Change = HelmApply(value, extraData, extraFields);
        Assert.IsType<CreatePlan>(world.Plan());
    }

    [Fact]
    public void Another_requester_gets_nothing_from_alices_set_nor_a_changed_chart()
    {
        var world = World();
        ApprovedSet(world);
        world.Change = HelmApply(user: "mallory");
        Assert.IsType<CreatePlan>(world.Plan());
        world.Change = RecordWrite(user: "mallory");
        Assert.IsType<CreatePlan>(world.Plan());
        world.Change = RecordWrite(Manifest.Replace("\"a\"", "\"changed\"", StringComparison.Ordinal));
        Assert.IsType<CreatePlan>(world.Plan());
    }

    [Fact]
    public void A_record_that_cannot_be_read_fails_closed()
    {
        var world = World();
        world.Change = RecordWrite().Object("""{"apiVersion":"v1","kind":"Secret","type":"helm.sh/release.v1","metadata":{"name":"sh.helm.release.v1.demo.v1","labels":{"owner":"helm","status":"pending-install"}},"data":{"release":"bm90IGd6aXA="}}""");
        var verdict = world.Verdict();
        Assert.False(verdict.Allowed);
        Assert.Contains("cannot be read", verdict.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ConfigMap", "configmaps")]
    [InlineData("NetworkPolicy", "networkpolicies")]
    [InlineData("Ingress", "ingresses")]
    [InlineData("Gateway", "gateways")]
    [InlineData("Endpoints", "endpoints")]
    public void Kinds_map_to_resources_as_Kubernetes_guesses(string kind, string resource) => Assert.Equal(resource, HelmChangeSet.GuessResource(kind));
}
