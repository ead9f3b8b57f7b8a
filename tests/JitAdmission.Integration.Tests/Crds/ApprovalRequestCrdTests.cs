using System.Text.Json.Nodes;
using JitAdmission.Core.Api;
using JitAdmission.Integration.Tests.Infrastructure;
using k8s;

namespace JitAdmission.Integration.Tests.Crds;

/// <summary>
/// The ApprovalRequest CRD on a real API server, with no webhook running: the spec is immutable except reviews,
/// which are append-only, one per reviewer; status changes only through the status subresource.
/// </summary>
public sealed class ApprovalRequestCrdTests(KubeSandbox sandbox) : IClassFixture<KubeSandbox>, IAsyncLifetime
{
    private const string Namespace = "team-a";
    private const string Fingerprint = "3f2a9c0d5b7e41a68c9d0e1f2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d";

    public async Task InitializeAsync()
    {
        await CrdInstallation.EnsureAsync(sandbox);
        await sandbox.ApplyAsync($"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {Namespace}\n");
    }

    public Task DisposeAsync() => Task.CompletedTask;

    /// <summary>As jit-admission creates it: optional fields requester.uid, action.subResource, change and
    /// breakGlass are absent, so the table can also add them later.</summary>
    private static JsonObject Request(string name) => JsonNode.Parse($$$"""
        {
          "apiVersion": "jitadmission.io/v1alpha1",
          "kind": "ApprovalRequest",
          "metadata": {"name": "{{{name}}}", "namespace": "{{{Namespace}}}"},
          "spec": {
            "policies": ["production-deployments"],
            "requester": {"username": "alice", "groups": ["devs", "system:authenticated"]},
            "action": {"operation": "UPDATE", "group": "apps", "version": "v1", "resource": "deployments", "kind": "Deployment", "namespace": "{{{Namespace}}}", "name": "web"},
            "fingerprint": "{{{Fingerprint}}}",
            "scope": "Exact",
            "reason": "roll out 1.2.3",
            "reviews": [{"reviewer": "bob", "decision": "Approve", "comment": "lgtm", "groups": ["sre"], "time": "2026-01-01T10:00:00Z"}]
          }
        }
        """)!.AsObject();

    // case, JSON patch applied by the admin after creation
    public static TheoryData<string, string> ForbiddenSpecEdits => new()
    {
        { "policies: replace an entry", """[{"op":"replace","path":"/spec/policies/0","value":"other"}]""" },
        { "policies: add an entry", """[{"op":"add","path":"/spec/policies/-","value":"other"}]""" },
        { "requester.username changed", """[{"op":"replace","path":"/spec/requester/username","value":"mallory"}]""" },
        { "requester.uid added later", """[{"op":"add","path":"/spec/requester/uid","value":"1234"}]""" },
        { "requester.groups: one removed", """[{"op":"remove","path":"/spec/requester/groups/0"}]""" },
        { "action.operation changed", """[{"op":"replace","path":"/spec/action/operation","value":"DELETE"}]""" },
        { "action.name changed", """[{"op":"replace","path":"/spec/action/name","value":"db"}]""" },
        { "action.subResource added later", """[{"op":"add","path":"/spec/action/subResource","value":"scale"}]""" },
        { "action.kind removed", """[{"op":"remove","path":"/spec/action/kind"}]""" },
        { "fingerprint changed", $$"""[{"op":"replace","path":"/spec/fingerprint","value":"{{new string('0', 64)}}"}]""" },
        { "fingerprint removed", """[{"op":"remove","path":"/spec/fingerprint"}]""" },
        { "scope widened", """[{"op":"replace","path":"/spec/scope","value":"Grant"}]""" },
        { "reason changed", """[{"op":"replace","path":"/spec/reason","value":"something else"}]""" },
        { "reason removed", """[{"op":"remove","path":"/spec/reason"}]""" },
        { "change added later", """[{"op":"add","path":"/spec/change","value":"replicas: 3 -> 30"}]""" },
        { "object added later", """[{"op":"add","path":"/spec/object","value":{"kind":"Deployment","spec":{"replicas":1}}}]""" },
        { "breakGlass added later", """[{"op":"add","path":"/spec/breakGlass","value":true}]""" },
        { "extends added later", """[{"op":"add","path":"/spec/extends","value":"an-approved-grant"}]""" },
        { "validFor added later", """[{"op":"add","path":"/spec/validFor","value":"5m"}]""" },
        { "autoApprovals added later", """[{"op":"add","path":"/spec/autoApprovals","value":[{"policy":"p","rule":"on-call","approves":["sre"]}]}]""" },
        { "changeSet added later", """[{"op":"add","path":"/spec/changeSet","value":{"objects":[{"operation":"CREATE","version":"v1","resource":"configmaps","name":"x","fingerprint":"0000000000000000000000000000000000000000000000000000000000000000","object":{}}]}}]""" },
    };

    [Theory]
    [MemberData(nameof(ForbiddenSpecEdits))]
    public async Task Editing_a_spec_field_after_creation_is_rejected(string @case, string patch)
    {
        var name = await CreateAsync(@case);
        var field = FirstSpecField(patch);

        var result = await PatchAsync(name, patch);

        Assert.False(result.Succeeded, $"{@case}: accepted but spec.{field} is immutable");
        Assert.Contains($"spec.{field} is immutable", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_spec_field_but_reviews_has_a_forbidden_edit_in_the_table()
    {
        var specFields = CrdFiles.SchemaAt(CrdFiles.OpenApiSchema(CrdFiles.Load(CrdFiles.RequestCrd)), "spec")["properties"]!.AsObject()
            .Select(p => p.Key).Where(k => k != "reviews");
        var covered = ForbiddenSpecEdits.Select(row => FirstSpecField((string)row[1])).ToHashSet();

        Assert.All(specFields, f => Assert.Contains(f, covered));
    }

    // case, JSON patch, fragment of the API server's error
    public static TheoryData<string, string, string> ForbiddenReviewEdits => new()
    {
        { "existing review: decision flipped", """[{"op":"replace","path":"/spec/reviews/0/decision","value":"Deny"}]""", "reviews are append-only" },
        { "existing review: comment edited", """[{"op":"replace","path":"/spec/reviews/0/comment","value":"changed my mind"}]""", "reviews are append-only" },
        { "existing review: groups forged", """[{"op":"add","path":"/spec/reviews/0/groups/-","value":"security"}]""", "reviews are append-only" },
        { "existing review: time removed", """[{"op":"remove","path":"/spec/reviews/0/time"}]""", "reviews are append-only" },
        { "existing review removed", """[{"op":"remove","path":"/spec/reviews/0"}]""", "reviews are append-only" },
        { "all reviews removed", """[{"op":"remove","path":"/spec/reviews"}]""", "reviews are append-only; they cannot be removed" },
        { "all reviews emptied", """[{"op":"replace","path":"/spec/reviews","value":[]}]""", "reviews are append-only" },
        { "review replaced by another", """[{"op":"replace","path":"/spec/reviews/0","value":{"reviewer":"carol","decision":"Approve"}}]""", "reviews are append-only" },
        { "review inserted before the existing one", """[{"op":"add","path":"/spec/reviews/0","value":{"reviewer":"carol","decision":"Approve"}}]""", "reviews are append-only" },
        { "second review by the same reviewer", """[{"op":"add","path":"/spec/reviews/-","value":{"reviewer":"bob","decision":"Deny"}}]""", "Duplicate value: {\"reviewer\":\"bob\"}" },
        { "review with an empty reviewer", """[{"op":"add","path":"/spec/reviews/-","value":{"reviewer":"","decision":"Approve"}}]""", "spec.reviews[1].reviewer in body should be at least 1 chars long" },
        { "review without decision", """[{"op":"add","path":"/spec/reviews/-","value":{"reviewer":"carol"}}]""", "spec.reviews[1].decision: Required value" },
        { "review with an unknown decision", """[{"op":"add","path":"/spec/reviews/-","value":{"reviewer":"carol","decision":"Maybe"}}]""", "Unsupported value: \"Maybe\"" },
    };

    [Theory]
    [MemberData(nameof(ForbiddenReviewEdits))]
    public async Task Changing_existing_reviews_or_adding_invalid_ones_is_rejected(string @case, string patch, string expected)
    {
        var name = await CreateAsync(@case);

        var result = await PatchAsync(name, patch);

        Assert.False(result.Succeeded, $"{@case}: accepted but should be rejected");
        Assert.Contains(expected, result.Stderr, StringComparison.Ordinal);
        Assert.Equal(["bob"], await ReviewersAsync(name));
    }

    // case, JSON or merge patch that leaves existing reviews alone, reviewers afterwards in order
    public static TheoryData<string, string, string> AllowedEdits => new()
    {
        { "append a review", """[{"op":"add","path":"/spec/reviews/-","value":{"reviewer":"carol","decision":"Approve"}}]""", "bob,carol" },
        { "append a denial with a comment", """[{"op":"add","path":"/spec/reviews/-","value":{"reviewer":"carol","decision":"Deny","comment":"not during the freeze"}}]""", "bob,carol" },
        { "append two reviews at once", """[{"op":"add","path":"/spec/reviews/-","value":{"reviewer":"carol","decision":"Approve"}},{"op":"add","path":"/spec/reviews/-","value":{"reviewer":"dave","decision":"Approve"}}]""", "bob,carol,dave" },
        { "replace the list with itself plus one", """[{"op":"replace","path":"/spec/reviews","value":[{"reviewer":"bob","decision":"Approve","comment":"lgtm","groups":["sre"],"time":"2026-01-01T10:00:00Z"},{"reviewer":"carol","decision":"Approve"}]}]""", "bob,carol" },
        { "label the request, spec untouched", """[{"op":"add","path":"/metadata/labels","value":{"team":"a"}}]""", "bob" },
    };

    [Theory]
    [MemberData(nameof(AllowedEdits))]
    public async Task Appending_reviews_and_editing_metadata_are_accepted(string @case, string patch, string reviewersAfter)
    {
        var name = await CreateAsync(@case);

        var result = await PatchAsync(name, patch);

        Assert.True(result.Succeeded, $"{@case}: {result}");
        Assert.Equal(reviewersAfter.Split(','), await ReviewersAsync(name));
    }

    [Fact]
    public async Task An_approver_appends_a_review_with_the_documented_kubectl_patch()
    {
        var name = await CreateAsync("documented patch");
        var carol = await sandbox.UserKubeconfigAsync("carol", "sre");
        await sandbox.InstallUserRolesAsync();
        await sandbox.BindAsync("jit-admission-approver", "carol");

        var patch = await sandbox.KubectlAsync(carol, ["patch", "areq", name, "-n", Namespace, "--type=json", "-p",
            """[{"op":"add","path":"/spec/reviews/-","value":{"reviewer":"carol","decision":"Approve"}}]"""]);

        Assert.True(patch.Succeeded, patch.ToString());
        Assert.Equal(["bob", "carol"], await ReviewersAsync(name));
    }

    [Fact]
    public async Task A_grant_asked_for_ahead_of_time_may_leave_out_the_action_which_defaults_to_any_operation()
    {
        var name = ApprovalPolicyCrdTests.Slug("grant without action");
        var request = Request(name);
        JsonPointer.Set(request, "/spec/action", null);
        JsonPointer.Set(request, "/spec/fingerprint", null);
        JsonPointer.Set(request, "/spec/scope", JsonValue.Create("Grant"));

        var create = await sandbox.KubectlAsync(sandbox.AdminKubeconfig, ["create", "-f", "-"], request.ToJsonString());

        Assert.True(create.Succeeded, create.ToString());
        var stored = await GetAsync(name);
        Assert.Equal("*", stored.Spec.Action.Operation);
        Assert.Null(stored.Spec.Action.Namespace);
    }

    // case, pointer into a new request, JSON value (null removes), fragment of the API server's error
    public static TheoryData<string, string, string, string> InvalidRequests => new()
    {
        { "fingerprint that is no sha256", "/spec/fingerprint", "\"abc\"", "spec.fingerprint in body should match" },
        { "no policies", "/spec/policies", "[]", "spec.policies in body should have at least 1 items" },
        { "policy name that is no object name", "/spec/policies", "[\"Prod Deployments\"]", "spec.policies[0] in body should match" },
        { "duplicate policies", "/spec/policies", "[\"a\", \"a\"]", "Duplicate value" },
        { "requester without username", "/spec/requester/username", "\"\"", "spec.requester.username in body should be at least 1 chars long" },
        { "unknown operation", "/spec/action/operation", "\"PATCH\"", "Unsupported value: \"PATCH\"" },
        { "unknown scope", "/spec/scope", "\"Namespace\"", "Unsupported value: \"Namespace\"" },
        { "two reviews by one reviewer", "/spec/reviews/-", "{\"reviewer\": \"bob\", \"decision\": \"Approve\"}", "Duplicate value: {\"reviewer\":\"bob\"}" },
        { "review time that is no timestamp", "/spec/reviews/0/time", "\"yesterday\"", "spec.reviews[0].time in body must be of type date-time" },
        { "change beyond the bound", "/spec/change", $"\"{new string('x', ApiLimits.MaxChangeLength + 1)}\"", "spec.change: Too long" },
    };

    [Theory]
    [MemberData(nameof(InvalidRequests))]
    public async Task Invalid_request_is_rejected_at_creation(string @case, string pointer, string value, string expected)
    {
        var request = Request(ApprovalPolicyCrdTests.Slug("bad-" + @case));
        JsonPointer.Set(request, pointer, JsonNode.Parse(value));

        var create = await sandbox.KubectlAsync(sandbox.AdminKubeconfig, ["create", "-f", "-"], request.ToJsonString());

        Assert.False(create.Succeeded, $"{@case}: accepted but should be rejected");
        Assert.Contains(expected, create.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_is_ignored_on_the_main_resource_and_written_through_the_status_subresource()
    {
        var name = await CreateAsync("status subresource");

        var viaMain = await sandbox.AdminKubectlAsync("patch", "areq", name, "-n", Namespace, "--type=merge", "-p", """{"status":{"phase":"Approved"}}""");
        Assert.True(viaMain.Succeeded, viaMain.ToString());
        Assert.Null((await GetAsync(name)).Status);

        var viaStatus = await sandbox.AdminKubectlAsync("patch", "areq", name, "-n", Namespace, "--subresource=status", "--type=merge", "-p",
            """{"status":{"phase":"Approved","uses":1},"spec":{"reason":"changed through status"}}""");
        Assert.True(viaStatus.Succeeded, viaStatus.ToString());
        var after = await GetAsync(name);
        Assert.Equal(RequestPhase.Approved, after.Status?.Phase);
        Assert.Equal(1, after.Status?.Uses);
        Assert.Equal("roll out 1.2.3", after.Spec.Reason);
    }

    // case, status merge patch, fragment of the API server's error
    public static TheoryData<string, string, string> InvalidStatuses => new()
    {
        { "unknown phase", """{"status":{"phase":"Bogus"}}""", "Unsupported value: \"Bogus\"" },
        { "negative uses", """{"status":{"uses":-1}}""", "status.uses: Invalid value: -1: uses in body should be greater than or equal to 0" },
        { "expiresAt that is no timestamp", """{"status":{"expiresAt":"tomorrow"}}""", "status.expiresAt: Invalid value: \"tomorrow\": expiresAt in body must be of type date-time" },
        { "condition without reason", """{"status":{"conditions":[{"type":"Reviewed","status":"True","message":"","lastTransitionTime":"2026-01-01T00:00:00Z"}]}}""", "status.conditions[0].reason: Required value" },
        { "condition status Maybe", """{"status":{"conditions":[{"type":"Reviewed","status":"Maybe","reason":"X","message":"","lastTransitionTime":"2026-01-01T00:00:00Z"}]}}""", "Unsupported value: \"Maybe\"" },
        { "decision that is no decision", """{"status":{"decisions":[{"reviewer":"bob","decision":"Abstain"}]}}""", "Unsupported value: \"Abstain\"" },
    };

    [Theory]
    [MemberData(nameof(InvalidStatuses))]
    public async Task Invalid_status_is_rejected_by_the_status_subresource(string @case, string patch, string expected)
    {
        var name = await CreateAsync(@case);

        var result = await sandbox.AdminKubectlAsync("patch", "areq", name, "-n", Namespace, "--subresource=status", "--type=merge", "-p", patch);

        Assert.False(result.Succeeded, $"{@case}: accepted but should be rejected");
        Assert.Contains(expected, result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Kubectl_shows_requests_by_short_name_with_their_columns()
    {
        var name = await CreateAsync("columns");
        var status = """{"status":{"phase":"Pending","action":"UPDATE deployments/web","approvals":"0/1","expiresAt":"2031-05-01T12:00:00Z"}}""";
        var patch = await sandbox.AdminKubectlAsync("patch", "areq", name, "-n", Namespace, "--subresource=status", "--type=merge", "-p", status);
        Assert.True(patch.Succeeded, patch.ToString());

        var get = await sandbox.AdminKubectlAsync("get", "areq", name, "-n", Namespace);

        Assert.True(get.Succeeded, get.ToString());
        var table = KubectlTable.Parse(get.Stdout);
        Assert.Equal(["NAME", "PHASE", "ACTION", "REQUESTER", "APPROVALS", "EXPIRES", "AGE"], table.Columns);
        var row = table.Row(name);
        Assert.Equal(
            ("Pending", "UPDATE deployments/web", "alice", "0/1", "2031-05-01T12:00:00Z"),
            (row["PHASE"], row["ACTION"], row["REQUESTER"], row["APPROVALS"], row["EXPIRES"]));
        Assert.Matches("^[0-9]+[smhd]", row["AGE"]);
    }

    [Fact]
    public async Task The_jitadmission_category_lists_policies_and_requests()
    {
        var name = await CreateAsync("category");
        var policy = "apiVersion: jitadmission.io/v1alpha1\nkind: ApprovalPolicy\nmetadata:\n  name: category\nspec:\n  match:\n    resources: [{apiGroups: [apps], resources: [deployments], operations: [UPDATE]}]\n  approval:\n    approvers: [{groups: [sre]}]\n";
        await sandbox.ApplyAsync(policy);

        var get = await sandbox.AdminKubectlAsync("get", "jitadmission", "-A", "-o", "name");

        Assert.True(get.Succeeded, get.ToString());
        var names = get.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains("approvalpolicy.jitadmission.io/category", names);
        Assert.Contains($"approvalrequest.jitadmission.io/{name}", names);
    }

    private async Task<string> CreateAsync(string @case)
    {
        var name = ApprovalPolicyCrdTests.Slug(@case);
        var create = await sandbox.KubectlAsync(sandbox.AdminKubeconfig, ["create", "-f", "-"], Request(name).ToJsonString());
        if (!create.Succeeded) throw new InvalidOperationException($"creating the request for \"{@case}\" failed: {create}");
        return name;
    }

    private Task<CommandResult> PatchAsync(string name, string jsonPatch) =>
        sandbox.AdminKubectlAsync("patch", "areq", name, "-n", Namespace, "--type=json", "-p", jsonPatch);

    private async Task<ApprovalRequest> GetAsync(string name)
    {
        var get = await sandbox.AdminKubectlAsync("get", "areq", name, "-n", Namespace, "-o", "json");
        Assert.True(get.Succeeded, get.ToString());
        return KubernetesJson.Deserialize<ApprovalRequest>(get.Stdout);
    }

    private async Task<string[]> ReviewersAsync(string name) =>
        (await GetAsync(name)).Spec.Reviews.Select(r => r.Reviewer).ToArray();

    /// <summary>The spec field a JSON patch touches first: "/spec/action/name" → "action".</summary>
    private static string FirstSpecField(string jsonPatch) =>
        ((string)JsonNode.Parse(jsonPatch)![0]!["path"]!).Split('/')[2];
}
