using System.Net;
using System.Text.Json;
using JitAdmission.Cli.Model;
using JitAdmission.Cli.Output;
using JitAdmission.Cli.Tests.TestSupport;
using JitAdmission.Core.Api;
using static JitAdmission.Cli.Tests.TestSupport.Requests;

namespace JitAdmission.Cli.Tests;

/// <summary>
/// describe shows what the approval lets through (spec.object) against the live object, read with the caller's own
/// credentials, and says plainly when that object cannot be read.
/// </summary>
public class LiveComparisonTests
{
    private const string WebPath = "/apis/apps/v1/namespaces/prod/deployments/web";
    private const string Live = """{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","namespace":"prod","resourceVersion":"7","managedFields":[]},"spec":{"replicas":3}}""";

    private static ApprovalRequest WithObject(string operation, string? proposed)
    {
        var request = Request();
        request.Spec.Action.Operation = operation;
        request.Spec.Object = proposed is null ? null : JsonDocument.Parse(proposed).RootElement.Clone();
        return request;
    }

    private static async Task<(LiveComparison? Result, FakeApi Api)> Compare(ApprovalRequest request, FakeApi api)
    {
        api.On("GET /apis/apps/v1", HttpStatusCode.OK, FakeApi.AppsResources).On("GET /api/v1", HttpStatusCode.OK, FakeApi.CoreResources);
        using var session = api.Session();
        return (await LiveComparison.ReadAsync(session, request, CancellationToken.None), api);
    }

    [Fact]
    public async Task An_update_is_compared_with_the_live_object()
    {
        var proposed = """{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","namespace":"prod"},"spec":{"replicas":30}}""";
        var (result, api) = await Compare(WithObject("UPDATE", proposed), new FakeApi().On("GET " + WebPath, HttpStatusCode.OK, Live));

        Assert.Equal("UPDATE apps/v1 deployments prod/web\n~ spec.replicas: 3 → 30", result!.Diff);
        Assert.Contains(api.Calls, c => c.Method == "GET" && c.PathAndQuery == WebPath);
        var text = RequestDescription.Render(RequestView.Build(Fetched(WithObject("UPDATE", proposed)), Policies(Policy()), At(1)), At(1), result);
        Assert.Contains("Change:\n  spec.replicas: 3 -> 30\n\nAgainst the live object (read with your credentials):\n  UPDATE apps/v1 deployments prod/web\n  ~ spec.replicas: 3 → 30\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_live_object_the_caller_may_not_read_is_said_so_and_the_record_stands()
    {
        var forbidden = FakeApi.Status(403, "Forbidden", "deployments.apps \"web\" is forbidden: User \"bob\" cannot get resource \"deployments\"",
            """{"name":"web","group":"apps","kind":"deployments"}""");
        var (result, _) = await Compare(WithObject("UPDATE", """{"spec":{"replicas":30}}"""), new FakeApi().On("GET " + WebPath, HttpStatusCode.Forbidden, forbidden));

        Assert.Null(result!.Diff);
        Assert.StartsWith("cannot compare with the live object: you may not get deployments.apps \"web\" in namespace prod", result.Unavailable, StringComparison.Ordinal);
        Assert.EndsWith("the change above is jit-admission's record of it", result.Unavailable, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_live_object_is_said_so()
    {
        var (result, _) = await Compare(WithObject("UPDATE", """{"spec":{"replicas":30}}"""), new FakeApi().On("GET " + WebPath, HttpStatusCode.NotFound,
            FakeApi.Status(404, "NotFound", "deployments.apps \"web\" not found", """{"name":"web","group":"apps","kind":"deployments"}""")));

        Assert.StartsWith("cannot compare with the live object: it does not exist (any more)", result!.Unavailable, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_create_shows_every_proposed_field_and_reads_nothing()
    {
        var (result, api) = await Compare(WithObject("CREATE", """{"spec":{"replicas":2}}"""), new FakeApi());

        Assert.Equal("CREATE apps/v1 deployments prod/web\n+ spec.replicas: 2", result!.Diff);
        Assert.DoesNotContain(api.Calls, c => c.PathAndQuery == WebPath);
    }

    [Fact]
    public async Task A_delete_shows_the_live_object_that_would_go()
    {
        var (result, _) = await Compare(WithObject("DELETE", null), new FakeApi().On("GET " + WebPath, HttpStatusCode.OK, Live));

        Assert.StartsWith("What the approval lets go", result!.Title, StringComparison.Ordinal);
        Assert.Contains("- spec.replicas: 3", result.Diff, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Secret_values_stay_hidden_on_both_sides()
    {
        var request = WithObject("UPDATE", """{"apiVersion":"v1","kind":"Secret","data":{"password":"bmV3"}}""");
        request.Spec.Action = new RequestedAction { Operation = "UPDATE", Version = "v1", Resource = "secrets", Kind = "Secret", Namespace = "prod", Name = "db" };
        var (result, _) = await Compare(request, new FakeApi().On("GET /api/v1/namespaces/prod/secrets/db", HttpStatusCode.OK,
            """{"apiVersion":"v1","kind":"Secret","metadata":{"name":"db"},"data":{"password":"b2xk"}}"""));

        Assert.DoesNotContain("bmV3", result!.Diff, StringComparison.Ordinal);
        Assert.DoesNotContain("b2xk", result.Diff, StringComparison.Ordinal);
        Assert.Contains("data.password", result.Diff, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Requests_made_ahead_of_time_have_no_change_to_compare()
    {
        var (result, api) = await Compare(WithObject("*", null), new FakeApi());

        Assert.Null(result);
        Assert.Empty(api.Calls);
    }
}
