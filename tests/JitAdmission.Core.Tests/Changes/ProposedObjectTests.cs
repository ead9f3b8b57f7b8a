using System.Text.Json;
using JitAdmission.Core.Changes;
using static JitAdmission.Core.Tests.TestSupport.ApprovalFixtures;

namespace JitAdmission.Core.Tests.Changes;

/// <summary>What an approval lets through, as the request keeps it for approvers.</summary>
public class ProposedObjectTests
{
    [Fact]
    public void An_update_keeps_the_new_object_without_managed_fields_or_status_and_nothing_of_the_old()
    {
        var proposed = ProposedObject.Of(Change(
            obj: """{"kind":"Deployment","metadata":{"name":"web","resourceVersion":"9","uid":"u","managedFields":[{}],"annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{}","keep":"me"}},"spec":{"replicas":5},"status":{"ready":1}}""",
            oldObj: """{"kind":"Deployment","metadata":{"name":"web"},"spec":{"replicas":100}}"""));

        Assert.Equal("""{"kind":"Deployment","metadata":{"name":"web","annotations":{"keep":"me"}},"spec":{"replicas":5}}""", proposed!.Value.GetRawText());
    }

    [Fact]
    public void Secret_values_are_hidden_and_keys_kept()
    {
        var proposed = ProposedObject.Of(Change("CREATE", group: "", resource: "secrets", name: "db",
            obj: """{"kind":"Secret","type":"Opaque","data":{"password":"czNjcjN0"},"stringData":{"user":"admin"}}"""))!.Value;

        Assert.DoesNotContain("czNjcjN0", proposed.GetRawText(), StringComparison.Ordinal);
        Assert.DoesNotContain("admin", proposed.GetRawText(), StringComparison.Ordinal);
        Assert.Equal(ProposedObject.HiddenValue, proposed.GetProperty("data").GetProperty("password").GetString());
        Assert.Equal(ProposedObject.HiddenValue, proposed.GetProperty("stringData").GetProperty("user").GetString());
        Assert.Equal("Opaque", proposed.GetProperty("type").GetString());
    }

    [Fact]
    public void A_connect_keeps_its_options_and_a_delete_nothing()
    {
        var exec = ProposedObject.Of(Change("CONNECT", group: "", resource: "pods", subResource: "exec", name: "web-0",
            obj: """{"kind":"PodExecOptions","command":["sh"],"container":"app"}"""));
        var delete = ProposedObject.Of(Change("DELETE", oldObj: """{"kind":"Deployment","metadata":{"uid":"u"}}"""));

        Assert.Equal(JsonValueKind.Array, exec!.Value.GetProperty("command").ValueKind);
        Assert.Null(delete);
    }

    [Fact]
    public void An_object_too_large_to_keep_is_left_out()
    {
        var big = new string('x', ProposedObject.MaxBytes);

        Assert.Null(ProposedObject.Of(Change("CREATE", group: "", resource: "configmaps", name: "big", obj: $$$"""{"data":{"a":"{{{big}}}"}}""")));
    }
}
