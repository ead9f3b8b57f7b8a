using System.Diagnostics;
using JitAdmission.Core.Changes;
using JitAdmission.Core.Tests.TestSupport;
using static JitAdmission.Core.Tests.TestSupport.ApprovalFixtures;

namespace JitAdmission.Core.Tests.Changes;

public class ChangeSummaryTests
{
    private const string OldDeployment = """
        {"apiVersion":"apps/v1","kind":"Deployment",
         "metadata":{"name":"web","namespace":"prod","resourceVersion":"1","generation":1,"labels":{"app":"web","old":"x"},
                     "annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{\"secret\":1}"}},
         "spec":{"replicas":3,"template":{"spec":{"containers":[
            {"name":"web","image":"nginx:1.26","args":["-a","-b"]},
            {"name":"side","image":"envoy:1"}]}}},
         "status":{"readyReplicas":3}}
        """;

    private const string NewDeployment = """
        {"apiVersion":"apps/v1","kind":"Deployment",
         "metadata":{"name":"web","namespace":"prod","resourceVersion":"2","generation":2,"labels":{"app":"web","tier":"prod","app.kubernetes.io/name":"web"},
                     "annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{\"secret\":2}"}},
         "spec":{"replicas":5,"template":{"spec":{"containers":[
            {"name":"side","image":"envoy:1"},
            {"name":"web","image":"nginx:1.27","args":["-a","-c","-d"]},
            {"name":"log","image":"fluent:2"}]}}},
         "status":{"readyReplicas":5}}
        """;

    public static TheoryData<string, string[]> UpdateLines => new()
    {
        { "header", ["UPDATE apps/v1 deployments prod/web by alice"] },
        { "changed scalar", ["~ spec.replicas: 3 → 5"] },
        { "added label", ["+ metadata.labels.tier: \"prod\""] },
        { "key with dots is quoted", ["+ metadata.labels[\"app.kubernetes.io/name\"]: \"web\""] },
        { "removed label", ["- metadata.labels.old: \"x\""] },
        { "list item matched by name", ["~ spec.template.spec.containers[name=web].image: \"nginx:1.26\" → \"nginx:1.27\""] },
        { "added list item by name, one line per field", ["+ spec.template.spec.containers[name=log].image: \"fluent:2\"", "+ spec.template.spec.containers[name=log].name: \"log\""] },
        { "scalar lists by index", ["~ spec.template.spec.containers[name=web].args[1]: \"-b\" → \"-c\"", "+ spec.template.spec.containers[name=web].args[2]: \"-d\""] },
    };

    /// <summary>The difference kubectl jit describe shows between the live object and the proposed one.</summary>
    private static string Compare(string live, string proposed, int maxChars = ChangeSummary.DefaultMaxChars, bool isSecret = false) =>
        ChangeSummary.Compare("UPDATE apps/v1 deployments prod/web by alice", Json(live), Json(proposed), isSecret, maxChars: maxChars);

    private static System.Text.Json.JsonElement Json(string text) => System.Text.Json.JsonDocument.Parse(text).RootElement.Clone();

    [Theory]
    [MemberData(nameof(UpdateLines))]
    public void Compared_with_the_live_object_an_update_is_a_path_diff(string what, string[] expectedLines)
    {
        var lines = Compare(OldDeployment, NewDeployment).Split('\n');
        foreach (var expected in expectedLines) Assert.True(lines.Contains(expected), $"{what}: missing \"{expected}\" in\n{string.Join('\n', lines)}");
    }

    [Fact]
    public void The_comparison_ignores_volatile_fields_and_reordering_of_named_items()
    {
        var summary = Compare(OldDeployment, NewDeployment);
        Assert.DoesNotContain("resourceVersion", summary, StringComparison.Ordinal);
        Assert.DoesNotContain("generation", summary, StringComparison.Ordinal);
        Assert.DoesNotContain("last-applied", summary, StringComparison.Ordinal);
        Assert.DoesNotContain("status", summary, StringComparison.Ordinal);
        Assert.DoesNotContain("name=side", summary, StringComparison.Ordinal);
    }

    [Fact]
    public void A_comparison_without_real_change_says_so()
    {
        var summary = Compare("""{"metadata":{"resourceVersion":"1"},"a":1}""", """{"metadata":{"resourceVersion":"2"},"a":1}""");
        Assert.Equal("UPDATE apps/v1 deployments prod/web by alice\n(no change besides fields the API server manages)", summary);
    }

    public static TheoryData<string, Func<Core.Admission.AdmissionAttributes>, string> Shapes => new()
    {
        { "delete", () => Change("DELETE", oldObj: """{"kind":"Deployment","metadata":{"uid":"u"}}""", kind: "Deployment"),
          "DELETE apps/v1 deployments prod/web by alice\ndelete Deployment prod/web" },
        { "delete without kind", () => Change("DELETE", oldObj: """{"kind":"Deployment"}"""),
          "DELETE apps/v1 deployments prod/web by alice\ndelete Deployment prod/web" },
        { "scale", () => Change(subResource: "scale", obj: """{"kind":"Scale","spec":{"replicas":5},"status":{"replicas":3}}""", oldObj: """{"kind":"Scale","spec":{"replicas":3}}"""),
          "UPDATE apps/v1 deployments/scale prod/web by alice\nscale deployments prod/web to 5 replicas" },
        { "scale to zero", () => Change(subResource: "scale", obj: """{"kind":"Scale","spec":{}}""", oldObj: """{"kind":"Scale","spec":{"replicas":3}}"""),
          "UPDATE apps/v1 deployments/scale prod/web by alice\nscale deployments prod/web to 0 replicas" },
        { "exec", () => Change("CONNECT", group: "", resource: "pods", subResource: "exec", name: "web-0",
            obj: """{"kind":"PodExecOptions","command":["sh","-c","ls"],"container":"app"}"""),
          "CONNECT v1 pods/exec prod/web-0 by alice\nexec into pod prod/web-0 (container app): sh -c ls" },
        { "exec with quoting and tty", () => Change("CONNECT", group: "", resource: "pods", subResource: "exec", name: "web-0",
            obj: """{"command":["sh","-c","rm -rf /tmp/*; echo 'done'"],"container":"app","stdin":true,"tty":true}"""),
          "CONNECT v1 pods/exec prod/web-0 by alice\nexec into pod prod/web-0 (container app, interactive): sh -c 'rm -rf /tmp/*; echo '\\''done'\\'''" },
        { "attach", () => Change("CONNECT", group: "", resource: "pods", subResource: "attach", name: "web-0", obj: """{"container":"app","stdin":true}"""),
          "CONNECT v1 pods/attach prod/web-0 by alice\nattach to pod prod/web-0 (container app, interactive)" },
        { "port-forward", () => Change("CONNECT", group: "", resource: "pods", subResource: "portforward", name: "web-0", obj: """{"ports":[8080,9090]}"""),
          "CONNECT v1 pods/portforward prod/web-0 by alice\nport-forward to pod prod/web-0: ports 8080, 9090" },
        { "proxy", () => Change("CONNECT", group: "", resource: "services", subResource: "proxy", name: "api", obj: """{"path":"/metrics"}"""),
          "CONNECT v1 services/proxy prod/api by alice\nconnect to services/proxy prod/api (path /metrics)" },
        { "create flattens fields", () => Change("CREATE", group: "", resource: "configmaps", name: "cfg",
            obj: """{"kind":"ConfigMap","metadata":{"name":"cfg","uid":"x"},"data":{"b":"2","a":"1"}}"""),
          "CREATE v1 configmaps prod/cfg by alice\n+ data.a: \"1\"\n+ data.b: \"2\"\n+ kind: \"ConfigMap\"\n+ metadata.name: \"cfg\"" },
        { "create with generateName, cluster-scoped", () => Change("CREATE", group: "", resource: "namespaces", ns: "", name: "",
            obj: """{"metadata":{"generateName":"tmp-"}}"""),
          "CREATE v1 namespaces tmp-<generated> by alice\n+ metadata.generateName: \"tmp-\"" },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Describes_each_kind_of_change(string what, Func<Core.Admission.AdmissionAttributes> request, string expected) =>
        Assert.True(expected == ChangeSummary.Describe(request()), $"{what}:\n{ChangeSummary.Describe(request())}");

    private const string SecretOld = """
        {"kind":"Secret","metadata":{"name":"db","annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{\"data\":{\"password\":\"aHVudGVyMg==\"}}"}},
         "type":"Opaque","data":{"password":"aHVudGVyMg==","user":"YWRtaW4=","gone":"eA=="}}
        """;

    private const string SecretNew = """
        {"kind":"Secret","metadata":{"name":"db","annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{\"data\":{\"password\":\"czNjcjN0\"}}"}},
         "type":"Opaque","data":{"password":"czNjcjN0","user":"YWRtaW4=","token":"dG9rZW4="},"stringData":{"plain":"hunter3"}}
        """;

    public static TheoryData<string, Func<Core.Admission.AdmissionAttributes>, string[]> SecretCases => new()
    {
        { "update", () => Change(group: "", resource: "secrets", name: "db", kind: "Secret", obj: SecretNew, oldObj: SecretOld),
          ["= data.password: (value hidden)", "= data.token: (value hidden)", "= stringData.plain: (value hidden)"] },
        { "create", () => Change("CREATE", group: "", resource: "secrets", name: "db", obj: SecretNew),
          ["+ data.password: (value hidden)", "+ data.token: (value hidden)", "+ stringData.plain: (value hidden)", "+ type: \"Opaque\""] },
    };

    [Fact]
    public void Compared_with_the_live_secret_values_stay_hidden()
    {
        var summary = Compare(SecretOld, SecretNew, isSecret: true);

        foreach (var secret in new[] { "aHVudGVyMg==", "czNjcjN0", "YWRtaW4=", "dG9rZW4=", "hunter3", "eA==" })
            Assert.DoesNotContain(secret, summary, StringComparison.Ordinal);
        var lines = summary.Split('\n');
        foreach (var expected in new[] { "~ data.password: (value hidden)", "+ data.token: (value hidden)", "- data.gone: (value hidden)", "+ stringData.plain: (value hidden)" })
            Assert.True(lines.Contains(expected), $"missing \"{expected}\" in\n{summary}");
        Assert.Contains("~ data: (value hidden)", Compare(SecretOld, """{"data":"eA=="}""", isSecret: true), StringComparison.Ordinal);
    }

    /// <summary>
    /// What approvers read comes from what the approval lets through: an UPDATE lists the object as it will be. The old
    /// object in the review never shows: a forged call can make it say anything ("replicas 100 → 3" for a scale-up).
    /// </summary>
    [Fact]
    public void An_update_shows_the_proposed_object_and_nothing_of_the_old_one()
    {
        var honest = ChangeSummary.Describe(Change(obj: NewDeployment, oldObj: OldDeployment));
        var forged = ChangeSummary.Describe(Change(obj: NewDeployment, oldObj: OldDeployment.Replace("\"replicas\":3", "\"replicas\":100", StringComparison.Ordinal)));

        Assert.Equal(honest, forged);
        var lines = honest.Split('\n');
        Assert.Equal("the object as it will be (kubectl jit describe compares it with the live object):", lines[1]);
        Assert.Contains("= spec.replicas: 5", lines);
        Assert.Contains("= spec.template.spec.containers[name=web].image: \"nginx:1.27\"", lines);
        Assert.DoesNotContain("nginx:1.26", honest, StringComparison.Ordinal);
        Assert.DoesNotContain("resourceVersion", honest, StringComparison.Ordinal);
    }

    [Fact]
    public void Control_characters_a_requester_put_in_the_object_are_escaped()
    {
        var summary = ChangeSummary.Describe(Change("CREATE", group: "", resource: "configmaps", name: "cfg",
            obj: """{"data":{"note\u001b[2J":"fine\u202eevil","x":"a\u001b[31mred"}}"""));

        Assert.False(Core.Text.TerminalText.HasControl(summary, multiline: true), summary);
        Assert.Contains("\\u001b[2J", summary, StringComparison.Ordinal);
        Assert.Contains("\\u202e", summary, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(SecretCases))]
    public void Secret_values_are_never_shown(string what, Func<Core.Admission.AdmissionAttributes> request, string[] expectedLines)
    {
        var summary = ChangeSummary.Describe(request());
        foreach (var secret in new[] { "aHVudGVyMg==", "czNjcjN0", "YWRtaW4=", "dG9rZW4=", "hunter3", "eA==" })
            Assert.DoesNotContain(secret, summary, StringComparison.Ordinal);
        var lines = summary.Split('\n');
        foreach (var expected in expectedLines) Assert.True(lines.Contains(expected), $"{what}: missing \"{expected}\" in\n{summary}");
    }

    [Fact]
    public void Long_values_are_truncated()
    {
        var big = new string('v', 500);
        var summary = Compare("""{"a":"x"}""", $$"""{"a":"{{big}}"}""");
        var line = summary.Split('\n')[1];
        Assert.StartsWith("~ a: \"x\" → \"vvv", line, StringComparison.Ordinal);
        Assert.EndsWith("…", line, StringComparison.Ordinal);
        Assert.True(line.Length < 140, line);
    }

    [Theory]
    [InlineData(80)]
    [InlineData(200)]
    [InlineData(4000)]
    public void Summary_is_bounded_and_counts_what_it_left_out(int maxChars)
    {
        var old = string.Join(",", Enumerable.Range(0, 400).Select(i => $"\"k{i}\":{i}"));
        var changed = string.Join(",", Enumerable.Range(0, 400).Select(i => $"\"k{i}\":{i + 1}"));
        var summary = Compare($"{{{old}}}", $"{{{changed}}}", maxChars);

        Assert.True(summary.Length <= maxChars, $"{summary.Length} > {maxChars}");
        var lines = summary.Split('\n');
        var shown = lines.Count(l => l.StartsWith("~ ", StringComparison.Ordinal));
        var trailer = lines[^1];
        Assert.Matches(@"^… and \d+ more changes$", trailer);
        Assert.Equal(400, shown + int.Parse(trailer.Split(' ')[2], System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void One_megabyte_update_is_summarized_within_bounds()
    {
        var before = ApprovalLargeObjects.Deployment(1024 * 1024, image: "nginx:1.26");
        var after = ApprovalLargeObjects.Deployment(1024 * 1024, image: "nginx:1.27");
        var summary = Compare(before, after);

        Assert.True(summary.Length <= ChangeSummary.DefaultMaxChars);
        Assert.Contains("~ spec.template.spec.containers[name=c0].image: \"nginx:1.26\" → \"nginx:1.27\"", summary, StringComparison.Ordinal);
        Assert.Matches(@"… and \d+ more changes$", summary);
    }

    [Fact]
    public void As_it_will_be_lists_the_proposed_fields_bounded_with_secret_values_hidden()
    {
        var fields = ChangeSummary.AsItWillBe("UPDATE v1 secrets prod/db", Json(SecretNew), isSecret: true);
        var many = ChangeSummary.AsItWillBe("UPDATE v1 configmaps prod/c", Json(
            "{\"data\":{" + string.Join(",", Enumerable.Range(0, 500).Select(i => $"\"k{i}\":\"{new string('v', 50)}\"")) + "}}"), isSecret: false, maxChars: 400);

        Assert.StartsWith("UPDATE v1 secrets prod/db\n= ", fields, StringComparison.Ordinal);
        Assert.Contains("= data.password: (value hidden)", fields, StringComparison.Ordinal);
        Assert.DoesNotContain("czNjcjN0", fields, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter3", fields, StringComparison.Ordinal);
        Assert.True(many.Length <= 400, $"{many.Length}");
        Assert.Matches(@"… and \d+ more changes$", many);
    }
}
