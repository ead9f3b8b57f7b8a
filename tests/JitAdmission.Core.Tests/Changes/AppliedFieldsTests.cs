using System.Text.Json;
using System.Text.Json.Nodes;
using JitAdmission.Core.Changes;

namespace JitAdmission.Core.Tests.Changes;

/// <summary>
/// Whether a write is the server-side apply of exactly a manifest, from the API server's managed fields. The written
/// objects are shaped as helm 4 writes them (captured from kube-sandbox: manager helm, operation Apply, the release
/// annotations and managed-by label added).
/// </summary>
public class AppliedFieldsTests
{
    private const string HelmMetadata =
        """ "annotations":{"meta.helm.sh/release-name":"demo","meta.helm.sh/release-namespace":"default"},"labels":{"app.kubernetes.io/managed-by":"Helm"} """;

    private const string HelmFields =
        """ "f:metadata":{"f:annotations":{"f:meta.helm.sh/release-name":{},"f:meta.helm.sh/release-namespace":{}},"f:labels":{"f:app.kubernetes.io/managed-by":{}}} """;

    private static JsonObject Manifest(string data = """{"v":"a"}""") =>
        JsonNode.Parse($$"""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"one",{{HelmMetadata}}},"data":{{data}}}""")!.AsObject();

    private static string Entry(string manager, string operation, string dataFields, string time = "2026-12-08T05:08:12Z") =>
        $$"""{"apiVersion":"v1","fieldsType":"FieldsV1","fieldsV1":{"f:data":{{dataFields}},{{HelmFields}}},"manager":"{{manager}}","operation":"{{operation}}","time":"{{time}}"}""";

    private static JsonElement Written(string data, params string[] entries) => JsonDocument.Parse(
        $$"""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"one","namespace":"default","uid":"u1",{{HelmMetadata}},"managedFields":[{{string.Join(",", entries)}}]},"data":{{data}}}""").RootElement;

    [Fact]
    public void Helms_apply_of_the_manifest_matches() =>
        Assert.Null(AppliedFields.Mismatch(Written("""{"v":"a"}""", Entry("helm", "Apply", """{"f:v":{}}""")), null, Manifest()));

    public static TheoryData<string, JsonElement, JsonElement?> Mismatches => new()
    {
        { "data/extra was applied but is not in the manifest", Written("""{"v":"a","extra":"x"}""", Entry("helm", "Apply", """{"f:v":{},"f:extra":{}}""")), null },
        { "data/v differs from the manifest", Written("""{"v":"b"}""", Entry("helm", "Apply", """{"f:v":{}}""")), null },
        { "data/w of the manifest was not applied", Written("""{"v":"a"}""", Entry("helm", "Apply", """{"f:v":{}}""")), null },
        { "it is not a server-side apply", Written("""{"v":"a"}""", Entry("helm", "Update", """{"f:v":{}}""")), null },
        { "several field managers", Written("""{"v":"a"}""", Entry("helm", "Apply", """{"f:v":{}}"""), Entry("other", "Apply", """{"f:v":{}}""")), null },
        // An UPDATE: helm's entry is as before; a second manager's apply smuggles a field next to the manifest.
        { "data/extra was applied but is not in the manifest",
            Written("""{"v":"a","extra":"x"}""", Entry("helm", "Apply", """{"f:v":{}}"""), Entry("sneaky", "Apply", """{"f:v":{},"f:extra":{}}""")),
            Written("""{"v":"a"}""", Entry("helm", "Apply", """{"f:v":{}}""")) },
        { "changed no field manager", Written("""{"v":"a"}""", Entry("helm", "Apply", """{"f:v":{}}""")), Written("""{"v":"a"}""", Entry("helm", "Apply", """{"f:v":{}}""")) },
    };

    [Theory]
    [MemberData(nameof(Mismatches))]
    public void Anything_but_exactly_the_manifest_does_not_match(string expected, JsonElement written, JsonElement? old)
    {
        var manifest = expected.StartsWith("data/w", StringComparison.Ordinal) ? Manifest("""{"v":"a","w":"b"}""") : Manifest();
        Assert.Contains(expected, AppliedFields.Mismatch(written, old, manifest), StringComparison.Ordinal);
    }

    [Fact]
    public void An_upgrade_by_helm_over_its_own_earlier_apply_matches_and_other_managers_fields_are_not_compared()
    {
        var old = Written("""{"v":"old","scaled":"by-hpa"}""", Entry("helm", "Apply", """{"f:v":{}}""", "2026-12-01T00:00:00Z"), Entry("hpa", "Update", """{"f:scaled":{}}"""));
        var written = Written("""{"v":"a","scaled":"by-hpa"}""", Entry("helm", "Apply", """{"f:v":{}}"""), Entry("hpa", "Update", """{"f:scaled":{}}"""));
        Assert.Null(AppliedFields.Mismatch(written, old, Manifest()));
    }

    [Fact]
    public void Keyed_list_items_are_matched_by_their_keys()
    {
        var manifest = JsonNode.Parse("""{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"template":{"spec":{"containers":[{"name":"web","image":"nginx:1.27"}]}}}}""")!.AsObject();
        const string fields = """{"f:spec":{"f:template":{"f:spec":{"f:containers":{"k:{\"name\":\"web\"}":{".":{},"f:image":{},"f:name":{}}}}}}}""";
        JsonElement Deployment(string image) => JsonDocument.Parse(
            "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"web\",\"managedFields\":[{\"manager\":\"helm\",\"operation\":\"Apply\",\"fieldsV1\":"
            + fields + "}]},\"spec\":{\"replicas\":1,\"template\":{\"spec\":{\"containers\":[{\"name\":\"web\",\"image\":\"" + image
            + "\",\"imagePullPolicy\":\"IfNotPresent\"}]}}}}").RootElement;

        Assert.Null(AppliedFields.Mismatch(Deployment("nginx:1.27"), null, manifest));
        Assert.Contains("differs from the manifest", AppliedFields.Mismatch(Deployment("evil:latest"), null, manifest), StringComparison.Ordinal);
    }
}
