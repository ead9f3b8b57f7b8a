using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using JitAdmission.Core.Api;
using JitAdmission.Core.Time;
using JitAdmission.Integration.Tests.Infrastructure;
using k8s;

namespace JitAdmission.Integration.Tests.Crds;

/// <summary>The ApprovalPolicy CRD on a real API server: examples, validation, defaults, kubectl presentation.</summary>
public sealed partial class ApprovalPolicyCrdTests(KubeSandbox sandbox) : IClassFixture<KubeSandbox>, IAsyncLifetime
{
    public Task InitializeAsync() => CrdInstallation.EnsureAsync(sandbox);

    public Task DisposeAsync() => Task.CompletedTask;

    public static TheoryData<string> Examples => new(CrdFiles.ExampleFiles.Select(f => Path.GetFileName(f)));

    [Theory]
    [MemberData(nameof(Examples))]
    public async Task Example_is_accepted_and_reads_back_into_the_CSharp_types(string file)
    {
        var path = Path.Combine(CrdFiles.ExamplesDirectory, file);

        var apply = await sandbox.AdminKubectlAsync("apply", "-f", path);

        Assert.True(apply.Succeeded, apply.ToString());
        Assert.DoesNotContain("Warning", apply.Stderr, StringComparison.Ordinal);
        var get = await sandbox.AdminKubectlAsync("get", "-f", path, "-o", "json");
        Assert.True(get.Succeeded, get.ToString());
        var read = JsonNode.Parse(get.Stdout)!;
        var items = read["items"]?.AsArray().ToList() ?? [read];
        var policies = items.Where(i => (string?)i!["kind"] == ApiConstants.PolicyKind)
            .Select(i => KubernetesJson.Deserialize<ApprovalPolicy>(i!.ToJsonString()))
            .ToList();
        Assert.NotEmpty(policies);
        foreach (var policy in policies)
        {
            Assert.NotEmpty(policy.Spec.Match.Resources);
            Assert.NotEmpty(policy.Spec.Approval.Approvers);
            foreach (var duration in new[] { policy.Spec.Approval.RequestTtl, policy.Spec.Approval.ValidFor, policy.Spec.Approval.Wait })
                Assert.True(GoDuration.TryParse(duration, out _, out var error), error);
            Assert.All(policy.Spec.Conditions, c => Assert.All(ContextReferences().Matches(c.Expression), m =>
                Assert.Contains(m.Groups[1].Value, policy.Spec.Context.Select(r => r.Name))));
        }
    }

    /// <summary>A valid policy using every section, so that each rejection below is caused by its one change.</summary>
    private static JsonObject ValidPolicy(string name) => JsonNode.Parse($$$"""
        {
          "apiVersion": "jitadmission.io/v1alpha1",
          "kind": "ApprovalPolicy",
          "metadata": {"name": "{{{name}}}"},
          "spec": {
            "match": {
              "resources": [{"apiGroups": ["apps"], "resources": ["deployments", "deployments/scale"], "operations": ["UPDATE", "DELETE"]}],
              "namespaces": ["prod-*"],
              "namespaceSelector": {"matchLabels": {"env": "prod"}},
              "objectSelector": {"matchExpressions": [{"key": "tier", "operator": "In", "values": ["web"]}]},
              "names": ["web-*"],
              "subjects": {
                "include": [{"kind": "Group", "name": "devs"}],
                "exclude": [{"kind": "ServiceAccount", "namespace": "ci", "name": "deployer"}]
              }
            },
            "conditions": [{"name": "scaling-up", "expression": "object.spec.replicas > oldObject.spec.replicas"}],
            "schedule": {"timeZone": "Europe/Berlin", "windows": [{"days": ["Fri"], "from": "18:00", "to": "08:00"}]},
            "context": [{"name": "incident", "configMap": {"namespace": "ops", "name": "incident-state"}}],
            "approval": {
              "approvers": [{"name": "sre", "groups": ["sre"], "users": ["alice", "bob"], "minApprovals": 1}],
              "allowSelfApproval": false,
              "requestTTL": "1h",
              "validFor": "15m",
              "scope": "Exact",
              "maxUses": 1,
              "wait": "10s"
            },
            "enforcement": "Enforce",
            "breakGlass": {"groups": ["on-call"]},
            "notify": [{"url": "https://hooks.example.com/jit", "events": ["Pending", "Denied"]}],
            "message": "ask #sre"
          }
        }
        """)!.AsObject();

    [Fact]
    public async Task The_valid_policy_used_by_the_tables_is_accepted()
    {
        var create = await CreateAsync(ValidPolicy("valid-baseline"));

        Assert.True(create.Succeeded, create.ToString());
    }

    // case, JSON pointer into the valid policy, new JSON value (null removes it), a fragment of the API server's error
    public static TheoryData<string, string, string, string> InvalidPolicies => new()
    {
        { "wait above 25s", "/spec/approval/wait", "\"30s\"", "wait must be at most 25s" },
        { "wait just above 25s", "/spec/approval/wait", "\"25001ms\"", "wait must be at most 25s" },
        { "requestTTL in days", "/spec/approval/requestTTL", "\"1d\"", "spec.approval.requestTTL in body should match" },
        { "requestTTL without unit", "/spec/approval/requestTTL", "\"60\"", "spec.approval.requestTTL in body should match" },
        { "requestTTL zero", "/spec/approval/requestTTL", "\"0s\"", "requestTTL must be greater than 0" },
        { "validFor zero", "/spec/approval/validFor", "\"0\"", "validFor must be greater than 0" },
        { "validFor negative", "/spec/approval/validFor", "\"-5m\"", "spec.approval.validFor in body should match" },
        { "wait ISO 8601", "/spec/approval/wait", "\"PT10S\"", "spec.approval.wait in body should match" },
        { "empty approvers", "/spec/approval/approvers", "[]", "spec.approval.approvers in body should have at least 1 items" },
        { "no approvers", "/spec/approval/approvers", "null", "spec.approval.approvers: Required value" },
        { "no approval section", "/spec/approval", "null", "spec.approval: Required value" },
        { "approver with neither users nor groups", "/spec/approval/approvers", "[{\"name\": \"sre\", \"minApprovals\": 1}]", "an approver entry needs users or groups" },
        { "approver with empty users and groups", "/spec/approval/approvers", "[{\"users\": [], \"groups\": []}]", "an approver entry needs users or groups" },
        { "minApprovals 0", "/spec/approval/approvers/0/minApprovals", "0", "should be greater than or equal to 1" },
        { "minApprovals above the listed users", "/spec/approval/approvers", "[{\"users\": [\"alice\", \"bob\"], \"minApprovals\": 3}]", "could never be satisfied" },
        { "negative maxUses", "/spec/approval/maxUses", "-1", "should be greater than or equal to 0" },
        { "unknown scope", "/spec/approval/scope", "\"Forever\"", "Unsupported value: \"Forever\"" },
        { "unknown enforcement", "/spec/enforcement", "\"Block\"", "Unsupported value: \"Block\"" },
        { "no match section", "/spec/match", "null", "spec.match: Required value" },
        { "empty resources", "/spec/match/resources", "[]", "spec.match.resources in body should have at least 1 items" },
        { "name longer than a label key allows", "/metadata/name", $"\"{new string('p', 64)}\"", "ApprovalPolicy names are at most 63 characters" },
        { "api group with a version", "/spec/match/resources/0/apiGroups", "[\"apps/v1\"]", "apiGroups[0] in body should match" },
        { "api version with a group", "/spec/match/resources/0/apiVersions", "[\"apps/v1\"]", "apiVersions[0] in body should match" },
        { "capitalised resource", "/spec/match/resources/0/resources", "[\"Deployments\"]", "resources[0].resources[0] in body should match" },
        { "resource rule without apiGroups", "/spec/match/resources/0/apiGroups", "[]", "apiGroups in body should have at least 1 items" },
        { "resource rule without resources", "/spec/match/resources/0/resources", "[]", "resources[0].resources in body should have at least 1 items" },
        { "resource rule with an empty resource", "/spec/match/resources/0/resources", "[\"\"]", "should be at least 1 chars long" },
        { "resource rule without operations", "/spec/match/resources/0/operations", "[]", "operations in body should have at least 1 items" },
        { "PATCH is not an admission operation", "/spec/match/resources/0/operations", "[\"PATCH\"]", "Unsupported value: \"PATCH\"" },
        { "lower-case operation", "/spec/match/resources/0/operations", "[\"update\"]", "Unsupported value: \"update\"" },
        { "duplicate operation", "/spec/match/resources/0/operations", "[\"UPDATE\", \"UPDATE\"]", "Duplicate value" },
        { "unknown selector operator", "/spec/match/objectSelector/matchExpressions/0/operator", "\"Contains\"", "Unsupported value: \"Contains\"" },
        { "ServiceAccount subject without namespace", "/spec/match/subjects/exclude/0/namespace", "null", "a ServiceAccount subject needs a namespace" },
        { "User subject with namespace", "/spec/match/subjects/include/0", "{\"kind\": \"User\", \"name\": \"bob\", \"namespace\": \"x\"}", "namespace is only allowed for ServiceAccount subjects" },
        { "unknown subject kind", "/spec/match/subjects/include/0/kind", "\"Team\"", "Unsupported value: \"Team\"" },
        { "subject without name", "/spec/match/subjects/include/0/name", "null", "spec.match.subjects.include[0].name: Required value" },
        { "duplicate condition names", "/spec/conditions/-", "{\"name\": \"scaling-up\", \"expression\": \"true\"}", "Duplicate value" },
        { "condition without expression", "/spec/conditions/0/expression", "\"\"", "should be at least 1 chars long" },
        { "context name that is no CEL identifier", "/spec/context/0/name", "\"incident-state\"", "spec.context[0].name in body should match" },
        { "context without ConfigMap", "/spec/context/0/configMap", "null", "spec.context[0].configMap: Required value" },
        { "unknown day", "/spec/schedule/windows/0/days", "[\"Monday\"]", "Unsupported value: \"Monday\"" },
        { "from without leading zero", "/spec/schedule/windows/0/from", "\"8:00\"", "from in body should match" },
        { "from at 24:00", "/spec/schedule/windows/0/from", "\"24:00\"", "from in body should match" },
        { "to after midnight", "/spec/schedule/windows/0/to", "\"24:30\"", "to in body should match" },
        { "to with minute 60", "/spec/schedule/windows/0/to", "\"12:60\"", "to in body should match" },
        { "schedule without windows", "/spec/schedule/windows", "[]", "spec.schedule.windows in body should have at least 1 items" },
        { "time zone with spaces", "/spec/schedule/timeZone", "\"Central European Time\"", "timeZone in body should match" },
        { "break-glass without anyone", "/spec/breakGlass", "{}", "breakGlass needs users or groups" },
        { "notify URL without scheme", "/spec/notify/0/url", "\"hooks.example.com/jit\"", "url in body should match" },
        { "notify event that is no phase", "/spec/notify/0/events", "[\"Approve\"]", "Unsupported value: \"Approve\"" },
        { "misspelled field", "/spec/approval/approver", "[]", "unknown field \"spec.approval.approver\"" },
    };

    [Theory]
    [MemberData(nameof(InvalidPolicies))]
    public async Task Invalid_policy_is_rejected_with_a_clear_message(string @case, string pointer, string value, string expected)
    {
        var policy = ValidPolicy(Slug("bad-" + @case));
        JsonPointer.Set(policy, pointer, JsonNode.Parse(value));

        var create = await CreateAsync(policy);

        Assert.False(create.Succeeded, $"{@case}: accepted but should be rejected");
        Assert.Contains(expected, create.Stderr, StringComparison.Ordinal);
    }

    public static TheoryData<string, string, string> ValidEdges => new()
    {
        { "wait of exactly 25s", "/spec/approval/wait", "\"25s\"" },
        { "wait 0 (do not hold)", "/spec/approval/wait", "\"0\"" },
        { "fractional wait", "/spec/approval/wait", "\"2.5s\"" },
        { "compound requestTTL", "/spec/approval/requestTTL", "\"1h30m\"" },
        { "validFor in microseconds", "/spec/approval/validFor", "\"900000000µs\"" },
        { "to at 24:00", "/spec/schedule/windows/0/to", "\"24:00\"" },
        { "window on every day", "/spec/schedule/windows/0", "{}" },
        { "all seven days", "/spec/schedule/windows/0/days", "[\"Mon\", \"Tue\", \"Wed\", \"Thu\", \"Fri\", \"Sat\", \"Sun\"]" },
        { "every operation", "/spec/match/resources/0/operations", "[\"*\"]" },
        { "core group with subresources", "/spec/match/resources/0", "{\"apiGroups\": [\"\"], \"resources\": [\"pods/exec\", \"pods/attach\"], \"operations\": [\"CONNECT\"]}" },
        { "any scale subresource", "/spec/match/resources/0/resources", "[\"*/scale\"]" },
        { "every pod subresource", "/spec/match/resources/0/resources", "[\"pods/*\"]" },
        { "every resource and subresource", "/spec/match/resources/0", "{\"apiGroups\": [\"*\"], \"apiVersions\": [\"*\"], \"resources\": [\"*\", \"*/*\"], \"operations\": [\"*\"]}" },
        { "dotted api group", "/spec/match/resources/0/apiGroups", "[\"networking.k8s.io\"]" },
        { "users-only entry with enough users", "/spec/approval/approvers", "[{\"users\": [\"alice\", \"bob\"], \"minApprovals\": 2}]" },
        { "groups allow more approvals than users", "/spec/approval/approvers", "[{\"users\": [\"alice\"], \"groups\": [\"sre\"], \"minApprovals\": 3}]" },
        { "two approver entries", "/spec/approval/approvers", "[{\"groups\": [\"sre\"]}, {\"groups\": [\"security\"]}]" },
        { "Grant with unlimited uses", "/spec/approval", "{\"approvers\": [{\"groups\": [\"sre\"]}], \"scope\": \"Grant\", \"maxUses\": 0}" },
        { "Audit enforcement", "/spec/enforcement", "\"Audit\"" },
        { "no schedule", "/spec/schedule", "null" },
        { "break-glass users only", "/spec/breakGlass", "{\"users\": [\"oncall-lead\"]}" },
        { "plain http notify", "/spec/notify/0", "{\"url\": \"http://notifier.ops.svc:8080/hook\"}" },
    };

    [Theory]
    [MemberData(nameof(ValidEdges))]
    public async Task Valid_edge_values_are_accepted(string @case, string pointer, string value)
    {
        var policy = ValidPolicy(Slug("edge-" + @case));
        JsonPointer.Set(policy, pointer, JsonNode.Parse(value));

        var create = await CreateAsync(policy);

        Assert.True(create.Succeeded, $"{@case}: {create}");
    }

    [Fact]
    public async Task Omitted_fields_get_the_CSharp_defaults()
    {
        var minimal = JsonNode.Parse("""
            {
              "apiVersion": "jitadmission.io/v1alpha1",
              "kind": "ApprovalPolicy",
              "metadata": {"name": "minimal"},
              "spec": {
                "match": {
                  "resources": [{"apiGroups": ["apps"], "resources": ["deployments"], "operations": ["UPDATE"]}],
                  "subjects": {"include": [{"name": "alice"}]}
                },
                "schedule": {"windows": [{}]},
                "approval": {"approvers": [{"groups": ["sre"]}]}
              }
            }
            """)!;
        var create = await CreateAsync(minimal);
        Assert.True(create.Succeeded, create.ToString());

        var get = await sandbox.AdminKubectlAsync("get", "apol", "minimal", "-o", "json");

        Assert.True(get.Succeeded, get.ToString());
        var stored = JsonNode.Parse(get.Stdout);
        var expected = new (string Pointer, object? Value)[]
        {
            ("/spec/enforcement", new ApprovalPolicySpec().Enforcement),
            ("/spec/approval/scope", new ApprovalSettings().Scope),
            ("/spec/approval/requestTTL", new ApprovalSettings().RequestTtl),
            ("/spec/approval/validFor", new ApprovalSettings().ValidFor),
            ("/spec/approval/wait", new ApprovalSettings().Wait),
            ("/spec/approval/allowSelfApproval", new ApprovalSettings().AllowSelfApproval),
            ("/spec/approval/approvers/0/minApprovals", new ApproverRule().MinApprovals),
            ("/spec/match/resources/0/apiVersions", new ResourceRule().ApiVersions),
            ("/spec/match/subjects/include/0/kind", new SubjectRef().Kind),
            ("/spec/schedule/timeZone", new PolicySchedule().TimeZone),
            ("/spec/schedule/windows/0/from", new ScheduleWindow().From),
            ("/spec/schedule/windows/0/to", new ScheduleWindow().To),
        };
        var wrong = expected
            .Select(e => (e.Pointer, Want: JsonSerializer.SerializeToNode(e.Value), Got: JsonPointer.Get(stored, e.Pointer)))
            .Where(e => !JsonNode.DeepEquals(e.Want, e.Got))
            .Select(e => $"{e.Pointer}: want {e.Want?.ToJsonString()}, got {e.Got?.ToJsonString() ?? "nothing"}")
            .ToList();
        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
        Assert.Null(JsonPointer.Get(stored, "/spec/approval/maxUses")); // depends on the scope: no default
    }

    [Fact]
    public async Task Kubectl_shows_policies_by_short_name_with_their_columns()
    {
        Assert.True((await CreateAsync(ValidPolicy("columns"))).Succeeded);
        var status = """{"status":{"observedGeneration":1,"conditions":[{"type":"Ready","status":"True","reason":"Compiled","message":"ok","lastTransitionTime":"2026-01-01T00:00:00Z"}]}}""";
        var patch = await sandbox.AdminKubectlAsync("patch", "apol", "columns", "--subresource=status", "--type=merge", "-p", status);
        Assert.True(patch.Succeeded, patch.ToString());

        var get = await sandbox.AdminKubectlAsync("get", "apol", "columns");

        Assert.True(get.Succeeded, get.ToString());
        var table = KubectlTable.Parse(get.Stdout);
        Assert.Equal(["NAME", "ENFORCEMENT", "SCOPE", "READY", "AGE"], table.Columns);
        var row = table.Row("columns");
        Assert.Equal("Enforce", row["ENFORCEMENT"]);
        Assert.Equal("Exact", row["SCOPE"]);
        Assert.Equal("True", row["READY"]);
        Assert.Matches("^[0-9]+[smhd]", row["AGE"]);
    }

    [Fact]
    public async Task Api_resources_lists_both_kinds_with_short_names_scope_and_category()
    {
        var resources = await sandbox.AdminKubectlAsync("api-resources", "--api-group=jitadmission.io", "-o", "wide");

        Assert.True(resources.Succeeded, resources.ToString());
        var table = KubectlTable.Parse(resources.Stdout);
        var policies = table.Row("approvalpolicies");
        Assert.Equal(("apol", "false", "ApprovalPolicy", "jitadmission"), (policies["SHORTNAMES"], policies["NAMESPACED"], policies["KIND"], policies["CATEGORIES"]));
        var requests = table.Row("approvalrequests");
        Assert.Equal(("areq", "true", "ApprovalRequest", "jitadmission"), (requests["SHORTNAMES"], requests["NAMESPACED"], requests["KIND"], requests["CATEGORIES"]));
    }

    private Task<CommandResult> CreateAsync(JsonNode obj) =>
        sandbox.KubectlAsync(sandbox.AdminKubeconfig, ["create", "-f", "-"], obj.ToJsonString());

    internal static string Slug(string text) =>
        NonDnsCharacters().Replace(text.ToLowerInvariant(), "-").Trim('-') is var slug && slug.Length > 63 ? slug[..63].TrimEnd('-') : slug;

    [GeneratedRegex("[^a-z0-9]+")]
    private static partial Regex NonDnsCharacters();

    [GeneratedRegex(@"\bcontext\.([A-Za-z_][A-Za-z0-9_]*)")]
    private static partial Regex ContextReferences();
}
