using System.Text.Json.Nodes;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using JitAdmission.Core.Admission;
using JitAdmission.Core.Fingerprinting;
using JitAdmission.Core.Tests.TestSupport;
using static JitAdmission.Core.Tests.TestSupport.ApprovalFixtures;

namespace JitAdmission.Core.Tests.Fingerprinting;

[Properties(Arbitrary = [typeof(ApprovalJsonGen)], MaxTest = 200)]
public class FingerprintProperties
{
    private static string Of(string json, string operation = "UPDATE") => Fingerprint.Compute(Change(operation, obj: json));

    [Property]
    public bool Key_order_never_changes_it(JsonDoc doc, int seedA, int seedB) =>
        Of(ApprovalJsonGen.Render(doc.Root, new Random(seedA))) == Of(ApprovalJsonGen.Render(doc.Root, new Random(seedB)));

    [Property]
    public bool Volatile_fields_never_change_it(JsonDoc doc, JsonDoc noise, int seed)
    {
        var plain = (JsonObject)doc.Root.DeepClone();
        plain["metadata"] = new JsonObject { ["name"] = "web", ["annotations"] = new JsonObject { ["team"] = "a" } };

        var noisy = (JsonObject)plain.DeepClone();
        var metadata = (JsonObject)noisy["metadata"]!;
        metadata["resourceVersion"] = seed.ToString(System.Globalization.CultureInfo.InvariantCulture);
        metadata["generation"] = seed;
        metadata["uid"] = $"uid-{seed}";
        metadata["creationTimestamp"] = "2025-01-01T00:00:00Z";
        metadata["managedFields"] = noise.Root.DeepClone();
        metadata["selfLink"] = "/x";
        metadata["deletionTimestamp"] = "2025-01-02T00:00:00Z";
        metadata["deletionGracePeriodSeconds"] = 30;
        ((JsonObject)metadata["annotations"]!)["kubectl.kubernetes.io/last-applied-configuration"] = noise.Root.ToJsonString();
        noisy["status"] = noise.Root.DeepClone();

        return Of(plain.ToJsonString()) == Of(ApprovalJsonGen.Render(noisy, new Random(seed)));
    }

    [Property]
    public Property Changing_any_other_leaf_changes_it(JsonDoc doc, int pick)
    {
        var leaves = ApprovalJsonGen.Leaves(doc.Root);
        return Prop.When(leaves.Count > 0, () =>
        {
            var before = Of(doc.Root.ToJsonString());
            var changed = (JsonObject)doc.Root.DeepClone();
            var changedLeaves = ApprovalJsonGen.Leaves(changed);
            var index = Math.Abs(pick % changedLeaves.Count);
            // Read the current value through the original document's leaf at the same position.
            var original = LeafValue(doc.Root, index);
            changedLeaves[index](ApprovalJsonGen.Different(original));
            Assert.NotEqual(before, Of(changed.ToJsonString()));
        });
    }

    private static JsonNode? LeafValue(JsonNode root, int index)
    {
        JsonNode? captured = null;
        var copy = root.DeepClone();
        var values = new List<JsonNode?>();
        Walk(copy, values);
        captured = values[index];
        return captured;

        static void Walk(JsonNode? node, List<JsonNode?> values)
        {
            switch (node)
            {
                case JsonObject obj:
                    foreach (var (_, v) in obj)
                        if (v is JsonObject or JsonArray) Walk(v, values);
                        else values.Add(v);
                    break;
                case JsonArray array:
                    foreach (var v in array)
                        if (v is JsonObject or JsonArray) Walk(v, values);
                        else values.Add(v);
                    break;
            }
        }
    }

    public static TheoryData<string, Func<AdmissionAttributes, AdmissionAttributes>> Envelope => new()
    {
        { "operation", a => Copy(a, operation: "CREATE") },
        { "requester", a => Copy(a, user: "mallory") },
        { "namespace", a => Copy(a, ns: "staging") },
        { "name", a => Copy(a, name: "api") },
        { "subresource", a => Copy(a, subResource: "status") },
        { "group", a => Copy(a, group: "extensions") },
        { "resource", a => Copy(a, resource: "statefulsets") },
    };

    [Theory]
    [MemberData(nameof(Envelope))]
    public void Request_attributes_are_part_of_it(string attribute, Func<AdmissionAttributes, AdmissionAttributes> change)
    {
        var request = Change(obj: """{"spec":{"replicas":3}}""");
        Assert.True(Fingerprint.Compute(request) != Fingerprint.Compute(change(request)), attribute);
    }

    private static AdmissionAttributes Copy(
        AdmissionAttributes a, string? operation = null, string? user = null, string? ns = null, string? name = null,
        string? subResource = null, string? group = null, string? resource = null) => new()
        {
            Uid = a.Uid,
            Operation = operation ?? a.Operation,
            Resource = new GroupVersionResource(group ?? a.Resource.Group, a.Resource.Version, resource ?? a.Resource.Resource),
            SubResource = subResource ?? a.SubResource,
            Namespace = ns ?? a.Namespace,
            Name = name ?? a.Name,
            UserInfo = user is null ? a.UserInfo : User(user, "dev"),
            Object = a.Object,
            OldObject = a.OldObject,
        };
}
