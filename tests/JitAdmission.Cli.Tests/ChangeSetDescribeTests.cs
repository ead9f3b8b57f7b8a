using System.Net;
using System.Text.Json;
using JitAdmission.Cli.Model;
using JitAdmission.Cli.Output;
using JitAdmission.Cli.Tests.TestSupport;
using JitAdmission.Core.Api;
using static JitAdmission.Cli.Tests.TestSupport.Requests;

namespace JitAdmission.Cli.Tests;

/// <summary>
/// describe of a change set: the summary computed from its objects (never spec.change), then every object against the
/// live one, each read with the caller's own credentials; what cannot be read is said, and what is let through is shown.
/// </summary>
public class ChangeSetDescribeTests
{
    private const string WebPath = "/apis/apps/v1/namespaces/prod/deployments/web";
    private const string ApiPath = "/apis/apps/v1/namespaces/prod/deployments/api";
    private const string SettingsPath = "/api/v1/namespaces/prod/configmaps/settings";

    private const string LiveWeb = """{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","namespace":"prod","resourceVersion":"7","managedFields":[]},"spec":{"replicas":3}}""";

    private static ChangeSetObject Entry(string operation, string group, string resource, string kind, string name, string json) => new()
    {
        Operation = operation, Group = group, Version = "v1", Resource = resource, Kind = kind, Namespace = "prod", Name = name,
        Fingerprint = $"{name}-fingerprint",
        Object = JsonDocument.Parse(json).RootElement.Clone(),
    };

    private static ChangeSetObject Deployment(string name, int replicas) => Entry("UPDATE", "apps", "deployments", "Deployment", name,
        $$"""{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"{{name}}","namespace":"prod","resourceVersion":"8"},"spec":{"replicas":{{replicas}}""" + "}}");

    private static readonly ChangeSetObject Settings = Entry("CREATE", "", "configmaps", "ConfigMap", "settings",
        """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"settings","namespace":"prod"},"data":{"mode":"fast"}}""");

    private static ApprovalRequest Set(params ChangeSetObject[] objects)
    {
        var request = Request("changeset-x1");
        request.Spec.Action = new RequestedAction();
        request.Spec.Fingerprint = "";
        request.Spec.Change = "";
        request.Spec.ChangeSet = new ChangeSet { Objects = [.. objects] };
        return request;
    }

    private static string Forbidden(string name) => FakeApi.Status(403, "Forbidden",
        $"deployments.apps \"{name}\" is forbidden: User \"bob\" cannot get resource \"deployments\"", $$"""{"name":"{{name}}","group":"apps","kind":"deployments"}""");

    private static readonly string NotFound = FakeApi.Status(404, "NotFound", "not found", """{"name":"settings","kind":"configmaps"}""");

    private static async Task<(IReadOnlyList<LiveComparison> Objects, FakeApi Api)> Compare(ApprovalRequest request, FakeApi api)
    {
        api.On("GET /apis/apps/v1", HttpStatusCode.OK, FakeApi.AppsResources).On("GET /api/v1", HttpStatusCode.OK, FakeApi.CoreResources);
        using var session = api.Session();
        Assert.Null(await LiveComparison.ReadAsync(session, request, CancellationToken.None));
        return ((await ChangeSetComparison.ReadAsync(session, request, CancellationToken.None))!, api);
    }

    private static FakeApi Cluster() => new FakeApi()
        .On("GET " + WebPath, HttpStatusCode.OK, LiveWeb)
        .On("GET " + SettingsPath, HttpStatusCode.NotFound, NotFound)
        .On("GET " + ApiPath, HttpStatusCode.Forbidden, Forbidden("api"));

    public static TheoryData<string, string, string?, string?> Cases => new()
    {
        { "an update is compared with the live object", "[1/3] against the live object (read with your credentials)",
          "UPDATE apps/v1 deployments prod/web\n~ spec.replicas: 3 → 30", null },
        { "a create of an object that does not exist yet shows the whole proposed object", "[2/3] a new object (there is no live one to compare)",
          "CREATE v1 configmaps prod/settings\n+ apiVersion: \"v1\"\n+ data.mode: \"fast\"\n+ kind: \"ConfigMap\"", null },
        { "an object the caller cannot read says so and shows what is let through", "[3/3]",
          "UPDATE apps/v1 deployments prod/api\n= apiVersion: \"apps/v1\"\n= kind: \"Deployment\"\n= metadata.name: \"api\"\n= metadata.namespace: \"prod\"\n= spec.replicas: 2",
          "cannot compare with the live object: you may not get deployments.apps \"api\" in namespace prod" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Every_object_is_shown_against_the_live_one_read_as_the_caller(string what, string title, string? diff, string? unavailable)
    {
        var (objects, _) = await Compare(Set(Deployment("web", 30), Settings, Deployment("api", 2)), Cluster());

        var o = Assert.Single(objects, o => o.Title == title);
        Assert.True(diff is null ? o.Diff is null : o.Diff!.StartsWith(diff, StringComparison.Ordinal), $"{what}: {o.Diff}");
        if (unavailable is null) Assert.Null(o.Unavailable);
        else Assert.StartsWith(unavailable, o.Unavailable, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Each_object_is_read_once_at_its_own_path()
    {
        var (_, api) = await Compare(Set(Deployment("web", 30), Settings, Deployment("api", 2)), Cluster());

        Assert.Equal([WebPath, SettingsPath, ApiPath], api.Calls.Where(c => c.PathAndQuery.Contains("/namespaces/", StringComparison.Ordinal)).Select(c => c.PathAndQuery));
        // Reads only (the permission advice asks who the caller is: a SelfSubjectReview, which writes nothing).
        Assert.All(api.Calls.Where(c => c.PathAndQuery.Contains("/namespaces/", StringComparison.Ordinal)), c => Assert.Equal("GET", c.Method));
    }

    [Fact]
    public async Task A_create_of_an_object_that_exists_now_is_compared_with_it()
    {
        var (objects, _) = await Compare(Set(Settings), new FakeApi().On("GET " + SettingsPath, HttpStatusCode.OK,
            """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"settings","namespace":"prod"},"data":{"mode":"slow"}}"""));

        Assert.StartsWith("[1/1] exists already", objects[0].Title, StringComparison.Ordinal);
        Assert.Contains("~ data.mode: \"slow\" → \"fast\"", objects[0].Diff, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Secret_values_stay_hidden_on_both_sides()
    {
        // A set cannot hold Secrets (the guard refuses them); the path that hides their values stays all the same.
        var secret = Entry("UPDATE", "", "secrets", "Secret", "db", """{"apiVersion":"v1","kind":"Secret","metadata":{"name":"db"},"data":{"password":"bmV3"}}""");
        var (objects, _) = await Compare(Set(secret), new FakeApi().On("GET /api/v1/namespaces/prod/secrets/db", HttpStatusCode.OK,
            """{"apiVersion":"v1","kind":"Secret","metadata":{"name":"db"},"data":{"password":"b2xk"}}"""));

        Assert.DoesNotContain("bmV3", objects[0].Diff, StringComparison.Ordinal);
        Assert.DoesNotContain("b2xk", objects[0].Diff, StringComparison.Ordinal);
        Assert.Contains("~ data.password: (value hidden)", objects[0].Diff, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_entry_whose_name_is_no_object_name_is_not_read_and_reads_as_text()
    {
        var odd = Deployment("web", 30);
        odd.Name = "../../../api/v1/namespaces/prod/secrets/db\n\u001b[2J";
        var (objects, api) = await Compare(Set(odd), new FakeApi());

        Assert.DoesNotContain(api.Calls, c => c.PathAndQuery.Contains("/namespaces/", StringComparison.Ordinal));
        Assert.StartsWith("cannot compare with the live object: the entry does not name an object that can be read", objects[0].Unavailable, StringComparison.Ordinal);
        Assert.StartsWith("UPDATE apps/v1 deployments prod/../../../api/v1/namespaces/prod/secrets/db\\u000a\\u001b[2J\n", objects[0].Diff, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_object_already_let_through_says_so()
    {
        var request = Set(Deployment("web", 30), Settings);
        request.Status = new ApprovalRequestStatus { UsedObjects = ["web-fingerprint"] };
        var (objects, _) = await Compare(request, Cluster());

        Assert.StartsWith("[1/2] (already let through) against the live object", objects[0].Title, StringComparison.Ordinal);
        Assert.StartsWith("[2/2] a new object", objects[1].Title, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Describe_shows_the_summary_of_the_objects_then_each_against_the_live_one()
    {
        var request = Set(Deployment("web", 30), Settings, Deployment("api", 2));
        request.Spec.Change = "nothing to see here"; // never written for a set; never shown for one
        var (objects, _) = await Compare(request, Cluster());

        var text = RequestDescription.Render(RequestView.Build(Fetched(request), Policies(Policy()), At(1)), At(1), null, null, objects);

        Assert.Contains("Action:       CHANGESET 3 objects\n", text, StringComparison.Ordinal);
        Assert.Contains("Target:       3 objects in namespace prod (each below)\n", text, StringComparison.Ordinal);
        Assert.Contains("Scope:        Exact (each object below, exactly as shown, once)\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("nothing to see here", text, StringComparison.Ordinal);
        Assert.Contains(
            "Change:\n"
            + "  3 objects: create 1 ConfigMap, update 2 Deployments\n"
            + "  UPDATE Deployment prod/web: replicas 30\n"
            + "  CREATE ConfigMap prod/settings\n"
            + "  UPDATE Deployment prod/api: replicas 2\n"
            + "  pods affected: 32\n"
            + "\n"
            + "Objects (what the approval lets through, each against the live object read with your credentials):\n"
            + "  [1/3] against the live object (read with your credentials):\n"
            + "    UPDATE apps/v1 deployments prod/web\n"
            + "    ~ spec.replicas: 3 → 30\n"
            + "  [2/3] a new object (there is no live one to compare):\n"
            + "    CREATE v1 configmaps prod/settings\n"
            + "    + apiVersion: \"v1\"\n",
            text, StringComparison.Ordinal);
        Assert.Matches(@"\n  \[3/3\] cannot compare with the live object: you may not get deployments\.apps ""api"" in namespace prod[^\n]*; the object as it will be:\n"
            + @"    UPDATE apps/v1 deployments prod/api\n(    = [^\n]*\n)*    = spec\.replicas: 2\n", text);
        Assert.Contains("\nRequirements (approvals 0/2):", text, StringComparison.Ordinal);
    }

    [Fact]
    public void The_list_reads_a_set_as_its_object_count()
    {
        var view = RequestView.Build(Fetched(Set(Deployment("web", 30), Settings, Deployment("api", 2))), Policies(Policy()), At(1));

        var lines = RequestTable.Render([view], At(1), withNamespace: false, wide: false).TrimEnd('\n').Split('\n');

        Assert.Matches(@"^changeset-x1\s{3,}Pending\s{3,}CHANGESET 3 objects\s{3,}alice\s{3,}0/2\s", lines[1]);
    }
}
