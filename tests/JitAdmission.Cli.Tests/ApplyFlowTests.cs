using System.Net;
using System.Text;
using System.Text.Json;
using JitAdmission.Cli.CommandLine;
using JitAdmission.Cli.Model;
using JitAdmission.Cli.Tests.TestSupport;
using JitAdmission.Core.Admission;

namespace JitAdmission.Cli.Tests;

/// <summary>
/// kubectl jit apply against an API server in a handler: objects go out as server-side apply patches, and refusals are
/// read through Core's contract — a Status whose details <see cref="GateDenial.WriteDetails"/> wrote — never through the message.
/// </summary>
public class ApplyFlowTests
{
    private const string ConfigMapPath = "/api/v1/namespaces/prod/configmaps/settings";
    private const string Manifest = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  mode: \"on\"\n";

    /// <summary>The Status the API server returns for a write a webhook denied: the webhook's status, details unchanged.</summary>
    private static string GateStatus(GateDenial denial, string message)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("kind", "Status");
            json.WriteString("apiVersion", "v1");
            json.WriteString("status", "Failure");
            json.WriteString("message", "admission webhook \"validate.jitadmission.io\" denied the request: " + message);
            json.WriteString("reason", "Forbidden");
            denial.WriteDetails(json);
            json.WriteNumber("code", 403);
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static async Task<(int Code, FakeApi Api)> Apply(FakeApi api, bool wait = false, string manifest = Manifest)
    {
        api.On("GET /api/v1", HttpStatusCode.OK, FakeApi.CoreResources);
        using var session = api.Session();
        var objects = ManifestReader.Parse(manifest, "settings.yaml");
        var code = await new ApplyFlow(session, api.Context, objects).RunAsync(wait, TimeSpan.FromSeconds(1), CancellationToken.None);
        return (code, api);
    }

    [Fact]
    public async Task Objects_are_applied_server_side_as_kubectl_with_the_document_unchanged()
    {
        var (code, api) = await Apply(new FakeApi().On("PATCH " + ConfigMapPath, HttpStatusCode.Created, "{}"));

        Assert.Equal(ExitCodes.Success, code);
        var patch = Assert.Single(api.Calls, c => c.Method == "PATCH");
        Assert.Equal(ConfigMapPath + "?fieldManager=kubectl&force=true", patch.PathAndQuery);
        Assert.Equal("application/apply-patch+yaml", patch.ContentType);
        Assert.Contains("mode: \"on\"", patch.Body, StringComparison.Ordinal);
        Assert.Equal("configmap/settings created\n", api.Out.ToString());
    }

    [Fact]
    public async Task A_held_change_is_read_from_the_core_contract_and_exits_pending()
    {
        var denial = new GateDenial(DenialKind.NeedsApproval, "prod", "configmaps-settings-0123456789");
        var api = new FakeApi().On("PATCH " + ConfigMapPath, HttpStatusCode.Forbidden, GateStatus(denial, "text the plugin does not parse"));

        var (code, _) = await Apply(api);

        Assert.Equal(ExitCodes.Pending, code);
        var err = api.Err.ToString();
        Assert.Contains("kubectl jit: approvalrequest/configmaps-settings-0123456789 in namespace prod waits for approvers "
            + "(kubectl jit approve configmaps-settings-0123456789 -n prod)", err, StringComparison.Ordinal);
        Assert.Contains("denied the request: text the plugin does not parse", err, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(DenialKind.Denied, ExitCodes.Denied, "was denied by an approver")]
    [InlineData(DenialKind.Expired, ExitCodes.Expired, "expired before configmap/settings could use it")]
    [InlineData(DenialKind.Unsatisfiable, ExitCodes.Error, "cannot be approved as the policies stand")]
    [InlineData(DenialKind.PolicyError, ExitCodes.Error, "could not evaluate its policy")]
    [InlineData(DenialKind.InternalError, ExitCodes.Error, "could not decide on configmap/settings")]
    [InlineData(DenialKind.TooManyPending, ExitCodes.Error, "as many pending approval requests as jit-admission allows")]
    public async Task Each_kind_of_denial_has_its_exit_code_and_says_why(DenialKind kind, int exitCode, string said)
    {
        var denial = new GateDenial(kind, "prod", "configmaps-settings-0123456789");
        var api = new FakeApi().On("PATCH " + ConfigMapPath, HttpStatusCode.Forbidden, GateStatus(denial, "whatever the message says"));

        var (code, _) = await Apply(api);

        Assert.Equal(exitCode, code);
        Assert.Contains(said, api.Err.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_expired_request_is_replaced_by_applying_once_more_with_wait()
    {
        var expired = new GateDenial(DenialKind.Expired, "prod", "configmaps-settings-old");
        var api = new FakeApi()
            .On("PATCH " + ConfigMapPath, HttpStatusCode.Forbidden, GateStatus(expired, "expired"))
            .On("PATCH " + ConfigMapPath, HttpStatusCode.OK, "{}");

        var (code, _) = await Apply(api, wait: true);

        Assert.Equal(ExitCodes.Success, code);
        Assert.Equal(2, api.Calls.Count(c => c.Method == "PATCH"));
        Assert.Contains("kubectl jit: the approval request expired; applying again to get a new one", api.Err.ToString(), StringComparison.Ordinal);
        Assert.Equal("configmap/settings serverside-applied\n", api.Out.ToString());
    }

    [Fact]
    public async Task Another_webhooks_denial_is_printed_like_kubectl_and_exits_1()
    {
        // A 403 with a message that mimics jit-admission's words but no GateDenial details is not jit-admission's.
        var api = new FakeApi().On("PATCH " + ConfigMapPath, HttpStatusCode.Forbidden, FakeApi.Status(403, "Forbidden",
            "admission webhook \"policy.example.com\" denied the request: An approver runs: kubectl jit approve fake -n prod"));

        var (code, _) = await Apply(api);

        Assert.Equal(ExitCodes.Error, code);
        Assert.Equal("Error from server (Forbidden): error when applying configmap/settings from \"settings.yaml\": admission webhook "
            + "\"policy.example.com\" denied the request: An approver runs: kubectl jit approve fake -n prod\n", api.Err.ToString());
        Assert.DoesNotContain("waits for approvers", api.Err.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_kind_and_a_namespace_mismatch_fail_as_with_kubectl()
    {
        var unknown = await Apply(new FakeApi(), manifest: "apiVersion: v1\nkind: NoSuchKind\nmetadata: {name: x}\n");
        var api = new FakeApi();
        api.On("GET /api/v1", HttpStatusCode.OK, FakeApi.CoreResources);
        using var session = api.Session("prod", namespaceGiven: true);
        var mismatch = await new ApplyFlow(session, api.Context, ManifestReader.Parse("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x, namespace: dev}\n", "x.yaml"))
            .RunAsync(false, TimeSpan.Zero, CancellationToken.None);

        Assert.Equal(ExitCodes.Error, unknown.Code);
        Assert.Contains("no matches for kind \"NoSuchKind\" in version \"v1\"", unknown.Api.Err.ToString(), StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Error, mismatch);
        Assert.Contains("the namespace from the provided object \"dev\" does not match the namespace \"prod\"", api.Err.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(api.Calls, c => c.Method == "PATCH");
    }
}
