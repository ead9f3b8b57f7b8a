using System.Buffers;
using System.Text;
using System.Text.Json;
using JitAdmission.Core.Admission;
using JitAdmission.Webhook.Review;

namespace JitAdmission.Webhook.Tests;

public sealed class AdmissionReviewWriterTests
{
    private static JsonElement Write(AdmissionVerdict verdict, bool mutating, string uid = "uid-1")
    {
        var output = new ArrayBufferWriter<byte>();
        AdmissionReviewWriter.WriteVerdict(output, uid, verdict, mutating);
        using var document = JsonDocument.Parse(output.WrittenMemory);
        var root = document.RootElement.Clone();
        Assert.Equal("admission.k8s.io/v1", root.GetProperty("apiVersion").GetString());
        Assert.Equal("AdmissionReview", root.GetProperty("kind").GetString());
        return root.GetProperty("response");
    }

    public static TheoryData<string> Uids()
    {
        var uids = new TheoryData<string> { "", "705ab4f5-6393-11e8-b7cc-42010a800002", "a\"b", "a\\b", "tab\there", "\u007f", "ünï", "<&>'+`" };
        for (var c = ' '; c <= '~'; c++) uids.Add("uid-" + c + "-end");
        return uids;
    }

    /// <summary>The plain allow takes a shortcut around the JSON writer: its bytes must be the writer's.</summary>
    [Theory]
    [MemberData(nameof(Uids))]
    public void A_plain_allow_is_written_exactly_as_the_json_writer_writes_it(string uid)
    {
        var output = new ArrayBufferWriter<byte>();
        AdmissionReviewWriter.WriteVerdict(output, uid, AdmissionVerdict.Allow, mutating: true);

        var expected = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(expected, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteString("apiVersion", "admission.k8s.io/v1");
            json.WriteString("kind", "AdmissionReview");
            json.WriteStartObject("response");
            json.WriteString("uid", uid);
            json.WriteBoolean("allowed", true);
            json.WriteEndObject();
            json.WriteEndObject();
        }

        Assert.Equal(Encoding.UTF8.GetString(expected.WrittenSpan), Encoding.UTF8.GetString(output.WrittenSpan));
    }

    [Fact]
    public void Allow_is_minimal_and_echoes_the_uid()
    {
        var response = Write(AdmissionVerdict.Allow, mutating: false, uid: "8f1c-\"quoted\"");

        Assert.Equal("8f1c-\"quoted\"", response.GetProperty("uid").GetString());
        Assert.True(response.GetProperty("allowed").GetBoolean());
        Assert.Equal(["uid", "allowed"], response.EnumerateObject().Select(p => p.Name));
    }

    public static TheoryData<string, AdmissionVerdict, int, string, string> Denials => new()
    {
        { "explicit", AdmissionVerdict.Deny("gated by policy prod", code: 403, reason: "Forbidden"), 403, "Forbidden", "gated by policy prod" },
        { "custom code", AdmissionVerdict.Deny("slow down", code: 429, reason: "TooManyRequests"), 429, "TooManyRequests", "slow down" },
        { "code below 400 is forced to 403", new AdmissionVerdict { Allowed = false, Code = 200, Message = "no" }, 403, "Forbidden", "no" },
        { "missing reason derived from code", new AdmissionVerdict { Allowed = false, Code = 500, Message = "x" }, 500, "InternalError", "x" },
        { "missing message", new AdmissionVerdict { Allowed = false }, 403, "Forbidden", "denied by jit-admission" },
    };

    [Theory]
    [MemberData(nameof(Denials))]
    public void Denials_carry_a_status(string name, AdmissionVerdict verdict, int code, string reason, string message)
    {
        var status = Write(verdict, mutating: false).GetProperty("status");

        Assert.True(code == status.GetProperty("code").GetInt32(), name);
        Assert.Equal(reason, status.GetProperty("reason").GetString());
        Assert.Equal(message, status.GetProperty("message").GetString());
    }

    [Fact]
    public void A_gate_denial_carries_its_kind_and_request_in_the_status_details_for_programs()
    {
        var verdict = AdmissionVerdict.Deny("needs approval") with { Denial = new GateDenial(DenialKind.NeedsApproval, "prod", "deployments-web-1") };

        var status = Write(verdict, mutating: false).GetProperty("status");

        Assert.Equal(verdict.Denial, GateDenial.TryRead(status));
        Assert.Equal("needs approval", status.GetProperty("message").GetString());
    }

    [Fact]
    public void A_denial_without_one_has_no_details() =>
        Assert.False(Write(AdmissionVerdict.Deny("no"), mutating: false).GetProperty("status").TryGetProperty("details", out _));

    [Theory]
    [InlineData(true, true, true)]
    [InlineData(false, true, false)]
    [InlineData(true, false, false)]
    public void Patch_only_on_mutating_allowed_answers(bool mutating, bool allowed, bool expectPatch)
    {
        var patch = """[{"op":"add","path":"/metadata/labels/x","value":"y"}]"""u8.ToArray();
        var verdict = new AdmissionVerdict { Allowed = allowed, JsonPatch = patch };

        var response = Write(verdict, mutating);

        Assert.Equal(expectPatch, response.TryGetProperty("patch", out var encoded));
        Assert.Equal(expectPatch, response.TryGetProperty("patchType", out var type));
        if (!expectPatch) return;
        Assert.Equal("JSONPatch", type.GetString());
        Assert.Equal(patch, Convert.FromBase64String(encoded.GetString()!));
    }

    public static TheoryData<string, string?> AuditKeys => new()
    {
        { "request", "request" },
        { "jitadmission.io/request", "request" },
        { "jitadmission.io/approvers", "approvers" },
        { "policy.name_1", "policy.name_1" },
        { "bad key!", "bad-key" },
        { "other.io/key", "other.io-key" },
        { "-leading", "leading" },
        { new string('k', 80), new string('k', 63) },
        { "!!!", null },
        { "", null },
    };

    [Theory]
    [MemberData(nameof(AuditKeys))]
    public void Audit_annotation_keys_become_valid_bare_names(string key, string? expected)
    {
        var normalized = AuditAnnotationKeys.Normalize(key);

        Assert.Equal(expected, normalized);
        if (normalized is null) return;
        Assert.True(AuditAnnotationKeys.IsValidName(normalized));
        // What the API server stores: "<webhook name>/<key>", one slash, a qualified name.
        Assert.Matches("^[a-z0-9.-]+/[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$", "validate.jitadmission.io/" + normalized);
    }

    [Fact]
    public void Audit_annotations_are_written_with_normalized_keys_and_unusable_ones_dropped()
    {
        var verdict = AdmissionVerdict.Allow with
        {
            AuditAnnotations = new Dictionary<string, string>
            {
                ["request"] = "default/deployments-web-0123456789",
                ["jitadmission.io/policies"] = "prod-changes",
                ["!!!"] = "dropped",
            },
        };

        var annotations = Write(verdict, mutating: false).GetProperty("auditAnnotations");

        Assert.Equal(
            [("request", "default/deployments-web-0123456789"), ("policies", "prod-changes")],
            annotations.EnumerateObject().Select(p => (p.Name, p.Value.GetString()!)));
    }

    [Fact]
    public void Warnings_are_cleaned_deduplicated_and_kept_within_the_api_server_limits()
    {
        var longWarning = new string('w', 300);
        var many = Enumerable.Range(0, 40).Select(i => $"{i:D3} " + new string('x', 200));
        var verdict = AdmissionVerdict.Allow with
        {
            Warnings = ["line one\nline two\t!", "dup", "dup", "", "  padded  ", longWarning, "emoji 😀 kept", .. many],
        };

        var warnings = Write(verdict, mutating: false).GetProperty("warnings").EnumerateArray().Select(w => w.GetString()!).ToList();

        Assert.Equal("line one line two !", warnings[0]);
        Assert.Equal("dup", warnings[1]);
        Assert.Equal("padded", warnings[2]);
        Assert.Equal(AdmissionWarnings.MaxRunesPerWarning, warnings[3].EnumerateRunes().Count());
        Assert.EndsWith("…", warnings[3], StringComparison.Ordinal);
        Assert.Equal("emoji 😀 kept", warnings[4]);
        Assert.All(warnings, w => Assert.DoesNotContain(w, c => char.IsControl(c)));
        Assert.All(warnings, w => Assert.True(w.EnumerateRunes().Count() <= AdmissionWarnings.MaxRunesPerWarning));
        Assert.True(warnings.Sum(w => w.EnumerateRunes().Count()) <= AdmissionWarnings.MaxTotalRunes);
        Assert.Matches(@"^jit-admission: \d+ more warning\(s\) omitted", warnings[^1]);
        var kept = warnings.Count(w => w.StartsWith('0'));
        Assert.InRange(kept, 10, 39);
        Assert.Contains($"{40 - kept} more", warnings[^1], StringComparison.Ordinal);
    }

    [Fact]
    public void Broken_surrogates_become_replacement_characters()
    {
        var cleaned = AdmissionWarnings.Clean("a\ud800b");

        Assert.Equal("a\ufffdb", cleaned);
        Assert.Equal("a\ufffdb", Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(cleaned)));
    }

    [Fact]
    public void Failures_echo_a_readable_uid_or_an_empty_one()
    {
        var output = new ArrayBufferWriter<byte>();
        AdmissionReviewWriter.WriteFailure(output, null, 400, "BadRequest", "bad");
        using var document = JsonDocument.Parse(output.WrittenMemory);
        var response = document.RootElement.GetProperty("response");

        Assert.Equal("", response.GetProperty("uid").GetString());
        Assert.False(response.GetProperty("allowed").GetBoolean());
        Assert.Equal(400, response.GetProperty("status").GetProperty("code").GetInt32());
    }
}
