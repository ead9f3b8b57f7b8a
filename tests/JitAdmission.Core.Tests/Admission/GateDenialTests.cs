using System.Buffers;
using System.Text;
using System.Text.Json;
using JitAdmission.Core.Admission;

namespace JitAdmission.Core.Tests.Admission;

/// <summary>The denial contract between the webhook and the plugin: what one writes into a Status, the other reads back.</summary>
public class GateDenialTests
{
    public static TheoryData<DenialKind, string?, string?> Denials()
    {
        var data = new TheoryData<DenialKind, string?, string?>();
        foreach (var kind in Enum.GetValues<DenialKind>())
        {
            data.Add(kind, "prod", "deployments-web-c2bd1afded");
            data.Add(kind, null, null);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Denials))]
    public void What_the_webhook_writes_the_plugin_reads_back(DenialKind kind, string? ns, string? name)
    {
        var denial = new GateDenial(kind, ns, name);

        var read = GateDenial.TryRead(Status(denial));

        Assert.Equal(denial, read);
    }

    [Fact]
    public void The_details_are_a_metav1_StatusDetails_kubectl_and_client_go_understand()
    {
        using var document = JsonDocument.Parse(Status(new GateDenial(DenialKind.NeedsApproval, "prod", "web-1")));
        var details = document.RootElement.GetProperty("details");

        Assert.Equal("web-1", details.GetProperty("name").GetString());
        Assert.Equal("jitadmission.io", details.GetProperty("group").GetString());
        Assert.Equal("approvalrequests", details.GetProperty("kind").GetString());
        Assert.All(details.GetProperty("causes").EnumerateArray(), c =>
        {
            Assert.Equal(JsonValueKind.String, c.GetProperty("reason").ValueKind);
            Assert.Equal(JsonValueKind.String, c.GetProperty("message").ValueKind);
        });
    }

    public static TheoryData<string> NotOurs() =>
    [
        "",
        "not json",
        """{"kind":"Status","message":"admission webhook \"other\" denied the request: An approver runs: kubectl jit approve x -n y"}""",
        """{"kind":"Status","details":{"name":"x","group":"apps","kind":"deployments"}}""",
        """{"kind":"Status","details":{"causes":[{"reason":"FieldValueInvalid","message":"NeedsApproval"}]}}""",
        """{"kind":"Status","details":{"causes":[{"reason":"jitadmission.io/denial","message":"Approved"}]}}""",
        """{"kind":"Status","details":{"causes":[{"reason":"jitadmission.io/denial","message":"1"}]}}""",
        """{"kind":"Status","details":{"causes":"jitadmission.io/denial"}}""",
        """[1,2]""",
    ];

    [Theory]
    [MemberData(nameof(NotOurs))]
    public void A_status_without_our_details_is_no_denial_of_ours_whatever_its_message_says(string status) =>
        Assert.Null(GateDenial.TryRead(status));

    [Fact]
    public void A_name_under_another_group_is_not_taken_for_a_request()
    {
        var status = """{"details":{"name":"web","group":"apps","causes":[{"reason":"jitadmission.io/denial","message":"Denied"}]}}""";

        Assert.Equal(new GateDenial(DenialKind.Denied), GateDenial.TryRead(status));
    }

    /// <summary>A metav1.Status as the webhook writes it (the API server passes it on as is).</summary>
    private static string Status(GateDenial denial)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("kind", "Status");
            json.WriteNumber("code", 403);
            json.WriteString("message", "admission webhook \"gate.jitadmission.io\" denied the request: …");
            denial.WriteDetails(json);
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
