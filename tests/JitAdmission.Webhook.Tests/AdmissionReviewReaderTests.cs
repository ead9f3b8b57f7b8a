using System.Text;
using JitAdmission.Core.Admission;
using JitAdmission.Webhook.Review;
using JitAdmission.Webhook.Tests.Infrastructure;

namespace JitAdmission.Webhook.Tests;

public sealed class AdmissionReviewReaderTests
{
    private static AdmissionAttributes ReadOk(byte[] body)
    {
        Assert.True(AdmissionReviewReader.TryRead(body, out var request, out var error), error?.Message);
        return request;
    }

    private static AdmissionReviewError ReadError(string body, int maxDepth = AdmissionReviewReader.DefaultMaxDepth)
    {
        Assert.False(AdmissionReviewReader.TryRead(Encoding.UTF8.GetBytes(body), out var request, out var error, maxDepth));
        Assert.Null(request);
        return error;
    }

    public static TheoryData<string> Operations => ["CREATE", "UPDATE", "DELETE", "CONNECT"];

    private static AdmissionReviewBuilder For(string operation) => operation switch
    {
        "CREATE" => AdmissionReviewBuilder.Create("web"),
        "UPDATE" => AdmissionReviewBuilder.Update("web"),
        "DELETE" => AdmissionReviewBuilder.Delete("web"),
        _ => AdmissionReviewBuilder.Connect("web"),
    };

    [Theory]
    [MemberData(nameof(Operations))]
    public void Reads_every_field_of_each_operation_and_keeps_objects_as_exact_slices(string operation)
    {
        var builder = For(operation).WithUser("alice", "dev", "ops").InNamespace("prod").AsDryRun();
        var body = builder.BuildUtf8();
        var text = Encoding.UTF8.GetString(body);

        var request = ReadOk(body);

        Assert.Equal(builder.Uid, request.Uid);
        Assert.Equal(operation, request.Operation);
        Assert.Equal("prod", request.Namespace);
        Assert.Equal("web", request.Name);
        Assert.True(request.DryRun);
        Assert.Equal("alice", request.UserInfo.Username);
        Assert.Equal("u-1", request.UserInfo.Uid);
        Assert.Equal(["dev", "ops"], request.UserInfo.Groups);
        Assert.Equal(["read", "write"], request.UserInfo.Extra["scopes.example.com"]);
        if (operation == "CONNECT")
        {
            Assert.Equal(new GroupVersionResource("", "v1", "pods"), request.Resource);
            Assert.Equal("exec", request.SubResource);
            Assert.Equal("pods/exec", request.ResourceWithSubresource);
            Assert.Equal(new GroupVersionKind("", "v1", "PodExecOptions"), request.Kind);
        }
        else
        {
            Assert.Equal(new GroupVersionResource("apps", "v1", "deployments"), request.Resource);
            Assert.Equal("", request.SubResource);
            Assert.Equal(new GroupVersionKind("apps", "v1", "Deployment"), request.Kind);
        }

        // Each raw object is a slice of the body, byte for byte what was sent, absent when sent as null.
        AssertSlice(text, request.Object, operation is "CREATE" or "UPDATE" or "CONNECT");
        AssertSlice(text, request.OldObject, operation is "UPDATE" or "DELETE");
        AssertSlice(text, request.Options, true);
        Assert.True(System.Runtime.InteropServices.MemoryMarshal.TryGetArray(request.Object.IsPresent ? request.Object.Utf8 : request.OldObject.Utf8, out var segment));
        Assert.Same(body, segment.Array);
    }

    private static void AssertSlice(string body, RawObject raw, bool present)
    {
        Assert.Equal(present, raw.IsPresent);
        if (!present) return;
        var json = Encoding.UTF8.GetString(raw.Utf8.Span);
        Assert.StartsWith("{", json, StringComparison.Ordinal);
        Assert.EndsWith("}", json, StringComparison.Ordinal);
        Assert.Contains(json, body, StringComparison.Ordinal);
        Assert.Equal(System.Text.Json.JsonValueKind.Object, raw.Element!.Value.ValueKind);
    }

    [Fact]
    public void Accepts_fields_in_any_order_escaped_names_unknown_fields_and_nulls()
    {
        var body = """
            {
              "request": {
                "futureField": {"nested": [1, 2, {"x": null}]},
                "\u0075id": "abc",
                "operation": "UPDATE",
                "userInfo": {"username": "bob", "groups": null, "extra": null},
                "resource": {"group": "", "version": "v1", "resource": "configmaps"},
                "subResource": null,
                "namespace": null,
                "object": {"kind": "ConfigMap"},
                "oldObject": null,
                "dryRun": null
              },
              "kind": "AdmissionReview",
              "apiVersion": "admission.k8s.io/v1",
              "response": null
            }
            """;

        var request = ReadOk(Encoding.UTF8.GetBytes(body));

        Assert.Equal("abc", request.Uid);
        Assert.Equal("UPDATE", request.Operation);
        Assert.Equal("bob", request.UserInfo.Username);
        Assert.Empty(request.UserInfo.Groups);
        Assert.Equal("", request.Namespace);
        Assert.Equal("", request.SubResource);
        Assert.Null(request.Kind);
        Assert.False(request.DryRun);
        Assert.Equal("""{"kind": "ConfigMap"}""", Encoding.UTF8.GetString(request.Object.Utf8.Span));
        Assert.False(request.OldObject.IsPresent);
        Assert.False(request.Options.IsPresent);
    }

    /// <summary>Each malformed review: the error kind, a fragment of the message, and whether the uid is echoed.</summary>
    public static TheoryData<string, string, AdmissionReviewErrorKind, string, bool> MalformedReviews()
    {
        var data = new TheoryData<string, string, AdmissionReviewErrorKind, string, bool>();
        var valid = AdmissionReviewBuilder.Create().WithUid("uid-1").Build();
        data.Add("not JSON", "hello", AdmissionReviewErrorKind.InvalidJson, "not valid JSON", false);
        data.Add("whitespace only", "   ", AdmissionReviewErrorKind.InvalidJson, "not valid JSON", false);
        data.Add("truncated after the uid", valid[..(valid.Length / 2)], AdmissionReviewErrorKind.InvalidJson, "not valid JSON", true);
        data.Add("trailing garbage", valid + " x", AdmissionReviewErrorKind.InvalidJson, "not valid JSON", true);
        data.Add("array", "[1,2]", AdmissionReviewErrorKind.NotAnObject, "must be a JSON object", false);
        data.Add("string", "\"review\"", AdmissionReviewErrorKind.NotAnObject, "must be a JSON object", false);
        data.Add("v1beta1", AdmissionReviewBuilder.Create().WithUid("uid-1").WithApiVersion("admission.k8s.io/v1beta1").Build(),
            AdmissionReviewErrorKind.UnsupportedApiVersion, "\"admission.k8s.io/v1beta1\" is not supported", true);
        data.Add("no apiVersion", AdmissionReviewBuilder.Create().WithUid("uid-1").Remove("$apiVersion").Build(),
            AdmissionReviewErrorKind.MissingApiVersion, "apiVersion is missing", true);
        data.Add("wrong kind", AdmissionReviewBuilder.Create().WithUid("uid-1").WithReviewKind("Pod").Build(),
            AdmissionReviewErrorKind.WrongKind, "kind is \"Pod\"", true);
        data.Add("no request", AdmissionReviewBuilder.Create().Remove("$request").Build(),
            AdmissionReviewErrorKind.MissingRequest, "request is missing", false);
        data.Add("request null", AdmissionReviewBuilder.Create().Set("$request", "null").Build(),
            AdmissionReviewErrorKind.MissingRequest, "request is missing", false);
        data.Add("request not an object", AdmissionReviewBuilder.Create().Set("$request", "[]").Build(),
            AdmissionReviewErrorKind.WrongType, "request must be an object, not an array", false);
        data.Add("no uid", AdmissionReviewBuilder.Create().Remove("uid").Build(),
            AdmissionReviewErrorKind.MissingUid, "request.uid is missing", false);
        data.Add("empty uid", AdmissionReviewBuilder.Create().WithUid("").Build(),
            AdmissionReviewErrorKind.MissingUid, "request.uid is missing or empty", false);
        data.Add("uid a number", AdmissionReviewBuilder.Create().Set("uid", "42").Build(),
            AdmissionReviewErrorKind.WrongType, "request.uid must be a string, not a number", false);
        data.Add("no operation", AdmissionReviewBuilder.Create().WithUid("uid-1").Remove("operation").Build(),
            AdmissionReviewErrorKind.InvalidOperation, "request.operation is missing", true);
        data.Add("bad operation", AdmissionReviewBuilder.Create().WithUid("uid-1").Set("operation", "\"PATCH\"").Build(),
            AdmissionReviewErrorKind.InvalidOperation, "\"PATCH\" is invalid", true);
        data.Add("lower-case operation", AdmissionReviewBuilder.Create().WithUid("uid-1").Set("operation", "\"create\"").Build(),
            AdmissionReviewErrorKind.InvalidOperation, "\"create\" is invalid", true);
        data.Add("no resource", AdmissionReviewBuilder.Create().WithUid("uid-1").Remove("resource").Build(),
            AdmissionReviewErrorKind.MissingResource, "request.resource.resource is missing", true);
        data.Add("empty resource", AdmissionReviewBuilder.Create().WithUid("uid-1").Set("resource", """{"group":"","version":"v1","resource":""}""").Build(),
            AdmissionReviewErrorKind.MissingResource, "request.resource.resource is missing", true);
        data.Add("resource a string", AdmissionReviewBuilder.Create().WithUid("uid-1").Set("resource", "\"pods\"").Build(),
            AdmissionReviewErrorKind.WrongType, "request.resource must be an object, not a string", true);
        data.Add("no userInfo", AdmissionReviewBuilder.Create().WithUid("uid-1").Remove("userInfo").Build(),
            AdmissionReviewErrorKind.MissingUserInfo, "request.userInfo is missing", true);
        data.Add("groups not an array", AdmissionReviewBuilder.Create().WithUid("uid-1").Set("userInfo", """{"username":"a","groups":"dev"}""").Build(),
            AdmissionReviewErrorKind.WrongType, "request.userInfo.groups must be an array of strings, not a string", true);
        data.Add("group not a string", AdmissionReviewBuilder.Create().WithUid("uid-1").Set("userInfo", """{"username":"a","groups":["dev",7]}""").Build(),
            AdmissionReviewErrorKind.WrongType, "request.userInfo.groups must be an array of strings, not a number", true);
        data.Add("extra values not an array", AdmissionReviewBuilder.Create().WithUid("uid-1").Set("userInfo", """{"username":"a","extra":{"k":"v"}}""").Build(),
            AdmissionReviewErrorKind.WrongType, "request.userInfo.extra[\"k\"] must be an array of strings", true);
        data.Add("dryRun a string", AdmissionReviewBuilder.Create().WithUid("uid-1").Set("dryRun", "\"yes\"").Build(),
            AdmissionReviewErrorKind.WrongType, "request.dryRun must be a boolean, not a string", true);
        data.Add("object an array", AdmissionReviewBuilder.Create().WithUid("uid-1").WithObject("[]").Build(),
            AdmissionReviewErrorKind.WrongType, "request.object must be an object, not an array", true);
        data.Add("apiVersion a number", AdmissionReviewBuilder.Create().WithUid("uid-1").Set("$request", "{\"uid\":\"uid-1\"}").Build().Replace("\"admission.k8s.io/v1\"", "1", StringComparison.Ordinal),
            AdmissionReviewErrorKind.WrongType, "apiVersion must be a string, not a number", true);
        data.Add("object nested too deep", AdmissionReviewBuilder.Create().WithUid("uid-1").WithObject(Nested(200)).Build(),
            AdmissionReviewErrorKind.TooDeep, "deeper than 128 levels", true);
        data.Add("unknown field nested too deep", AdmissionReviewBuilder.Create().WithUid("uid-1").Set("zzz", Nested(200)).Build(),
            AdmissionReviewErrorKind.TooDeep, "deeper than 128 levels", true);
        return data;
    }

    /// <summary>An object nesting <paramref name="depth"/> arrays: <c>{"a":[[[…]]]}</c>.</summary>
    public static string Nested(int depth) => "{\"a\":" + new string('[', depth) + new string(']', depth) + "}";

    [Theory]
    [MemberData(nameof(MalformedReviews))]
    public void Refuses_malformed_reviews_precisely(string name, string body, AdmissionReviewErrorKind kind, string fragment, bool uidEchoed)
    {
        var error = ReadError(body);

        Assert.True(kind == error.Kind, $"{name}: expected {kind}, got {error.Kind}: {error.Message}");
        Assert.Contains(fragment, error.Message, StringComparison.Ordinal);
        if (uidEchoed) Assert.Equal("uid-1", error.Uid);
        else Assert.Null(error.Uid);
    }

    [Fact]
    public void Objects_are_found_by_their_brackets_so_strings_full_of_them_do_not_confuse_the_fields_after()
    {
        const string tricky = """{"metadata":{"name":"web","annotations":{"a\"}":"}]\\","b":"[{\u007d"}},"data":{"x":"\"}\"}"}}""";
        var body = AdmissionReviewBuilder.Update().WithUid("uid-9").WithObject(tricky).WithOldObject(tricky).AsDryRun()
            .WithOptions("""{"kind":"UpdateOptions","apiVersion":"meta.k8s.io/v1"}""").BuildUtf8();

        var request = ReadOk(body);

        Assert.Equal(tricky, Encoding.UTF8.GetString(request.Object.Utf8.Span));
        Assert.Equal(tricky, Encoding.UTF8.GetString(request.OldObject.Utf8.Span));
        Assert.Equal("}]\\", request.Object.Element!.Value.GetProperty("metadata").GetProperty("annotations").GetProperty("a\"}").GetString());
        Assert.True(request.DryRun);
        Assert.Equal("UpdateOptions", request.Options.Element!.Value.GetProperty("kind").GetString());
        Assert.Equal("uid-9", request.Uid);
    }

    [Fact]
    public void A_balanced_object_with_bad_content_is_read_and_refused_only_when_parsed()
    {
        // Only a policy that needs the object parses it; the gate then fails closed ("cannot read the object").
        var body = AdmissionReviewBuilder.Update().WithUid("uid-1").WithObject("""{"spec":{"replicas":tru}}""").BuildUtf8();

        var request = ReadOk(body);

        Assert.False(request.Object.IsParsed);
        Assert.ThrowsAny<System.Text.Json.JsonException>(() => request.Object.Element);
    }

    [Fact]
    public void Refuses_invalid_utf8_as_invalid_json()
    {
        var body = Encoding.UTF8.GetBytes("""{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"__"}}""");
        var at = Array.IndexOf(body, (byte)'_');
        (body[at], body[at + 1]) = (0xC3, 0x28); // a lead byte followed by a non-continuation byte

        Assert.False(AdmissionReviewReader.TryRead(body, out _, out var error));
        Assert.Equal(AdmissionReviewErrorKind.InvalidJson, error.Kind);
    }

    [Fact]
    public void Keeps_the_first_of_several_errors_and_still_reads_a_later_uid()
    {
        // The type error comes before the uid: the uid is still found, the first error reported.
        var body = """{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"dryRun":1,"operation":"NOPE","uid":"late"}}""";

        var error = ReadError(body);

        Assert.Equal(AdmissionReviewErrorKind.WrongType, error.Kind);
        Assert.Contains("request.dryRun", error.Message, StringComparison.Ordinal);
        Assert.Equal("late", error.Uid);
    }

    [Theory]
    [InlineData(32, true)]
    [InlineData(33, false)]
    public void Depth_limit_is_exact(int objectDepth, bool accepted)
    {
        // Review (1) > request (2) > object (3) > "a" array levels: the limit counts every container.
        var body = AdmissionReviewBuilder.Create().WithObject(Nested(objectDepth - 3)).BuildUtf8();

        Assert.Equal(accepted, AdmissionReviewReader.TryRead(body, out _, out var error, maxDepth: 32));
        if (!accepted) Assert.Equal(AdmissionReviewErrorKind.TooDeep, error!.Kind);
    }

    /// <summary>Only a forged review repeats a field: a second userInfo (claiming system:masters), uid or object is refused,
    /// not resolved one way or the other (found by AdmissionReviewReaderDifferentialTests).</summary>
    [Theory]
    [InlineData("\"userInfo\":{\"username\":\"mallory\",\"groups\":[\"system:masters\"]}", "request.userInfo appears twice")]
    [InlineData("\"uid\":\"other\"", "request.uid appears twice")]
    [InlineData("\"object\":{\"kind\",\"x\":1}", "request.object appears twice")]
    [InlineData("\"resource\":{\"group\":\"\",\"resource\":\"pods\",\"resource\":\"secrets\"}", "request.resource.resource appears twice")]
    public void Refuses_a_review_that_gives_a_field_it_reads_twice(string repeated, string fragment)
    {
        var body = AdmissionReviewBuilder.Update("web").Build();
        var forged = body.Replace("\"request\":{", "\"request\":{" + repeated + ",", StringComparison.Ordinal);

        var error = ReadError(forged);

        Assert.Equal(AdmissionReviewErrorKind.DuplicateField, error.Kind);
        Assert.Contains(fragment, error.Message, StringComparison.Ordinal);
        Assert.Equal("duplicate_field", error.Label);
    }

    [Fact]
    public void Error_labels_are_distinct_snake_case()
    {
        var labels = Enum.GetValues<AdmissionReviewErrorKind>().Select(k => new AdmissionReviewError(k, "", null).Label).ToList();

        Assert.Equal(labels.Count, labels.Distinct().Count());
        Assert.All(labels, l => Assert.Matches("^[a-z_]+$", l));
    }
}
