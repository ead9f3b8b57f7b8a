using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using JitAdmission.Core.Fingerprinting;
using JitAdmission.Core.Tests.TestSupport;
using static JitAdmission.Core.Tests.TestSupport.ApprovalFixtures;

namespace JitAdmission.Core.Tests.Fingerprinting;

public class FingerprintTests
{
    private static string Sha256(string canonical) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));

    private static string Envelope(string obj, string operation = "UPDATE", string subResource = "") =>
        $"{{\"group\":\"apps\",\"name\":\"web\",\"namespace\":\"prod\",\"object\":{obj},\"operation\":\"{operation}\","
        + $"\"requester\":\"alice\",\"resource\":\"deployments\",\"subResource\":\"{subResource}\"}}";

    [Fact]
    public void Is_the_sha256_of_the_canonical_json_in_lower_case_hex()
    {
        var request = Change(obj: """
            { "spec": { "replicas": 3, "b": [ 2, 1.50, {"z": true, "a": null} ] },
              "metadata": { "name": "web", "labels": { "tier": "prod", "app": "web" } }, "kind": "Deployment" }
            """);

        var fingerprint = Fingerprint.Compute(request);

        var canonical = Envelope("""{"kind":"Deployment","metadata":{"labels":{"app":"web","tier":"prod"},"name":"web"},"spec":{"b":[2,1.50,{"a":null,"z":true}],"replicas":3}}""");
        Assert.Equal(Sha256(canonical), fingerprint);
        Assert.Matches("^[0-9a-f]{64}$", fingerprint);
    }

    public static TheoryData<string, string> VolatileCases => new()
    {
        { "resourceVersion", """{"metadata":{"name":"web","resourceVersion":"42"}}""" },
        { "generation", """{"metadata":{"name":"web","generation":7}}""" },
        { "uid", """{"metadata":{"name":"web","uid":"u-1"}}""" },
        { "creationTimestamp", """{"metadata":{"name":"web","creationTimestamp":"2025-01-01T00:00:00Z"}}""" },
        { "managedFields", """{"metadata":{"name":"web","managedFields":[{"manager":"kubectl"}]}}""" },
        { "selfLink", """{"metadata":{"name":"web","selfLink":"/apis/x"}}""" },
        { "deletionTimestamp", """{"metadata":{"name":"web","deletionTimestamp":"2025-01-01T00:00:00Z"}}""" },
        { "deletionGracePeriodSeconds", """{"metadata":{"name":"web","deletionGracePeriodSeconds":30}}""" },
        { "last-applied annotation", """{"metadata":{"name":"web","annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{}"}}}""" },
        { "status", """{"metadata":{"name":"web"},"status":{"readyReplicas":2}}""" },
    };

    [Theory]
    [MemberData(nameof(VolatileCases))]
    public void Ignores_fields_the_api_server_manages(string field, string withField)
    {
        var bare = withField.Contains("annotations", StringComparison.Ordinal)
            ? """{"metadata":{"name":"web","annotations":{}}}"""
            : """{"metadata":{"name":"web"}}""";
        Assert.True(Fingerprint.Compute(Change(obj: bare)) == Fingerprint.Compute(Change(obj: withField)), field);
    }

    [Fact]
    public void Keeps_other_annotations_and_fields_named_like_volatile_ones_deeper_down()
    {
        var a = Fingerprint.Compute(Change(obj: """{"metadata":{"annotations":{"team":"a"}},"spec":{"uid":"1","status":"x"}}"""));
        var b = Fingerprint.Compute(Change(obj: """{"metadata":{"annotations":{"team":"b"}},"spec":{"uid":"1","status":"x"}}"""));
        var c = Fingerprint.Compute(Change(obj: """{"metadata":{"annotations":{"team":"a"}},"spec":{"uid":"2","status":"x"}}"""));
        var d = Fingerprint.Compute(Change(obj: """{"metadata":{"annotations":{"team":"a"}},"spec":{"uid":"1","status":"y"}}"""));
        Assert.Equal(4, new[] { a, b, c, d }.Distinct().Count());
    }

    [Fact]
    public void Status_subresource_keeps_the_status_because_it_is_the_change()
    {
        var one = Change(subResource: "status", obj: """{"metadata":{"resourceVersion":"1"},"status":{"phase":"A"}}""");
        var two = Change(subResource: "status", obj: """{"metadata":{"resourceVersion":"2"},"status":{"phase":"B"}}""");
        Assert.NotEqual(Fingerprint.Compute(one), Fingerprint.Compute(two));
        Assert.Equal(Sha256(Envelope("""{"metadata":{},"status":{"phase":"A"}}""", subResource: "status")), Fingerprint.Compute(one));
    }

    [Fact]
    public void Delete_is_bound_to_the_uid_of_the_old_object()
    {
        var first = Change("DELETE", oldObj: """{"metadata":{"name":"web","uid":"u-1"},"spec":{"replicas":1}}""");
        var sameUidOtherContent = Change("DELETE", oldObj: """{"metadata":{"name":"web","uid":"u-1"},"spec":{"replicas":9}}""");
        var recreated = Change("DELETE", oldObj: """{"metadata":{"name":"web","uid":"u-2"}}""");

        Assert.Equal(Sha256(Envelope("""{"uid":"u-1"}""", "DELETE")), Fingerprint.Compute(first));
        Assert.Equal(Fingerprint.Compute(first), Fingerprint.Compute(sameUidOtherContent));
        Assert.NotEqual(Fingerprint.Compute(first), Fingerprint.Compute(recreated));
        Assert.Equal(Sha256(Envelope("""{"uid":null}""", "DELETE")), Fingerprint.Compute(Change("DELETE")));
    }

    [Fact]
    public void Connect_fingerprints_the_options_object()
    {
        var ls = Change("CONNECT", resource: "pods", group: "", subResource: "exec", name: "web-0",
            obj: """{"kind":"PodExecOptions","command":["sh","-c","ls"],"container":"app","stdin":true}""");
        var rm = Change("CONNECT", resource: "pods", group: "", subResource: "exec", name: "web-0",
            obj: """{"kind":"PodExecOptions","command":["sh","-c","rm -rf /"],"container":"app","stdin":true}""");
        Assert.NotEqual(Fingerprint.Compute(ls), Fingerprint.Compute(rm));
    }

    [Fact]
    public void Numbers_are_taken_as_written_and_strings_by_value()
    {
        Assert.NotEqual(Fingerprint.Compute(Change(obj: """{"a":1}""")), Fingerprint.Compute(Change(obj: """{"a":1.0}""")));
        Assert.Equal(Fingerprint.Compute(Change(obj: """{"a":"A"}""")), Fingerprint.Compute(Change(obj: """{"a":"\u0041"}""")));
        Assert.Equal(Fingerprint.Compute(Change(obj: """{"a":"ü"}""")), Fingerprint.Compute(Change(obj: """{"a":"\u00fc"}""")));
    }

    [Fact]
    public void A_one_megabyte_object_costs_one_pass_and_no_copy_of_the_canonical_text()
    {
        var json = ApprovalLargeObjects.Deployment(1024 * 1024);
        var request = Change(obj: json);
        _ = request.Object.Element; // parsed once by the webhook anyway; measure the fingerprint alone
        Fingerprint.Compute(request); // warm up

        var before = GC.GetAllocatedBytesForCurrentThread();
        var fingerprint = Fingerprint.Compute(request);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Matches("^[0-9a-f]{64}$", fingerprint);
        // Strings are decoded one by one (UTF-16, so ~2x their UTF-8 size); a canonical copy would add the whole document again.
        Assert.True(allocated < 3L * json.Length, $"allocated {allocated} bytes for a {json.Length} byte object");
    }
}
