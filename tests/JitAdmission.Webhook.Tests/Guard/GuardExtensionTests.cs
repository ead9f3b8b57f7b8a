using System.Net;
using System.Text;
using JitAdmission.Core.Api;
using static JitAdmission.Webhook.Tests.Guard.GuardWorld;

namespace JitAdmission.Webhook.Tests.Guard;

/// <summary>The guard reads the chain of an extension from the API server (not the cache) and checks it.</summary>
public sealed class GuardExtensionTests : IDisposable
{
    private readonly RequestsApi _api = new();
    private readonly GuardWorld _world;

    public GuardExtensionTests()
    {
        _world = new GuardWorld(_api);
        _world.Policies.Upsert(new ApprovalPolicy
        {
            Metadata = new k8s.Models.V1ObjectMeta { Name = "exec", Uid = "p-2", Generation = 1, ResourceVersion = "2" },
            Spec = new ApprovalPolicySpec
            {
                Match = new PolicyMatch { Resources = [new ResourceRule { ApiGroups = [""], Resources = ["pods/exec"], Operations = ["CONNECT"] }] },
                Approval = new ApprovalSettings
                {
                    Scope = ApprovalScope.Grant,
                    Approvers = [new ApproverRule { Name = "sre", Groups = ["sre"] }],
                    Extensions = new ExtensionSettings { Max = 1, Approval = ExtensionApproval.Automatic },
                },
            },
        });
    }

    public void Dispose()
    {
        _world.Dispose();
        _api.Dispose();
    }

    /// <summary>alice's Grant of policy exec in prod, created 11:30, approved by bob at 11:55 (valid until 12:10).</summary>
    private static string Grant(string name, string? extends = null, bool approved = true, bool forCreate = false) =>
        "{\"apiVersion\":\"jitadmission.io/v1alpha1\",\"kind\":\"ApprovalRequest\","
        + $"\"metadata\":{{\"name\":\"{name}\",\"namespace\":\"prod\"" + (forCreate ? "" : ",\"creationTimestamp\":\"2026-03-01T11:30:00Z\"") + "},"
        + "\"spec\":{\"policies\":[\"exec\"],\"requester\":{\"username\":\"alice\",\"groups\":[\"devs\"]},"
        + "\"action\":{\"operation\":\"*\",\"namespace\":\"prod\"},\"scope\":\"Grant\",\"reason\":\"more time\""
        + (extends is null ? "" : $",\"extends\":\"{extends}\"")
        + ",\"reviews\":" + (approved && !forCreate ? "[{\"reviewer\":\"bob\",\"decision\":\"Approve\",\"groups\":[\"sre\"],\"time\":\"2026-03-01T11:55:00Z\"}]" : "[]")
        + "}}";

    private ValueTask<Core.Admission.AdmissionVerdict> Create(string extends, string user = "alice") =>
        _world.Guard.HandleAsync(Write("CREATE", ApiConstants.RequestPlural, Grant(extends + "-ext-1", extends, forCreate: true), null, user, ["devs"]), CancellationToken.None);

    [Fact]
    public async Task An_extension_of_an_approval_read_from_the_api_server_is_admitted()
    {
        _api.Requests["g"] = Grant("g");

        var verdict = await Create("g");

        Assert.True(verdict.Allowed, verdict.Message);
        Assert.Equal(["/apis/jitadmission.io/v1alpha1/namespaces/prod/approvalrequests/g"], _api.Paths);
    }

    [Fact]
    public async Task A_pending_request_someone_else_s_or_none_is_refused_with_why()
    {
        _api.Requests["pending"] = Grant("pending", approved: false);
        _api.Requests["g"] = Grant("g");

        var pending = await Create("pending");
        var missing = await Create("nope");
        var bob = await Create("g", "bob");

        Assert.Equal((false, 403), (pending.Allowed, pending.Code));
        Assert.Contains("\"pending\" is Pending", pending.Message, StringComparison.Ordinal);
        Assert.Contains("ApprovalRequest \"nope\" to extend does not exist in namespace \"prod\"", missing.Message, StringComparison.Ordinal);
        Assert.Contains("only its requester can extend it", bob.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_chain_is_followed_to_its_start_and_bounded_by_max()
    {
        _api.Requests["g"] = Grant("g");
        _api.Requests["g-ext-1"] = Grant("g-ext-1", "g");

        var verdict = await Create("g-ext-1");

        Assert.False(verdict.Allowed);
        Assert.Contains("\"g-ext-1\" has already been extended 1 time(s); the policies allow at most 1", verdict.Message, StringComparison.Ordinal);
        Assert.Equal(2, _api.Paths.Count);
    }

    /// <summary>GETs of ApprovalRequests in prod from a dictionary; 404 for the rest.</summary>
    private sealed class RequestsApi : DelegatingHandler
    {
        private const string Prefix = "/apis/jitadmission.io/v1alpha1/namespaces/prod/approvalrequests/";

        public Dictionary<string, string> Requests { get; } = new(StringComparer.Ordinal);
        public List<string> Paths { get; } = [];

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var path = request.RequestUri!.AbsolutePath;
            lock (Paths) Paths.Add(path);
            var found = request.Method == HttpMethod.Get && path.StartsWith(Prefix, StringComparison.Ordinal)
                && Requests.TryGetValue(path[Prefix.Length..], out var body) ? body : null;
            var response = found is not null
                ? new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(found, Encoding.UTF8, "application/json") }
                : new HttpResponseMessage(HttpStatusCode.NotFound)
                {
                    Content = new StringContent("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"reason\":\"NotFound\",\"code\":404}", Encoding.UTF8, "application/json"),
                };
            response.RequestMessage = request;
            return Task.FromResult(response);
        }
    }
}
