using System.Text.Json.Nodes;
using JitAdmission.Cli.PolicyTesting;

namespace JitAdmission.Cli.Output;

/// <summary>
/// <c>kubectl jit test -o json</c>: every case with its request, result, each policy's verdict and the differences, for
/// CI and scripts. Built as JSON nodes and written by the node itself: no reflection, so it stays Native AOT-safe.
/// </summary>
internal static class PolicyTestJson
{
    // Relaxed: "+02:00" and "it's" stay readable; control characters are still escaped.
    private static readonly JsonWriterOptions Indented = new() { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Render(IReadOnlyList<SuiteRun> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var root = new JsonObject
        {
            ["apiVersion"] = SuiteReader.ApiVersion,
            ["kind"] = "PolicyTestReport",
            ["passed"] = runs.Sum(r => r.Passed),
            ["failed"] = runs.Sum(r => r.Failed),
            ["suites"] = Array(runs.Select(Suite)),
        };
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, Indented)) root.WriteTo(writer);
        return System.Text.Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }

    private static JsonObject Suite(SuiteRun run) => new()
    {
        ["file"] = run.Suite.File,
        ["name"] = run.Suite.Name,
        ["passed"] = run.Passed,
        ["failed"] = run.Failed,
        ["cases"] = Array(run.Cases.Select(Case)),
    };

    private static JsonObject Case(CaseRun run)
    {
        var (testCase, result) = (run.Case, run.Result);
        var request = testCase.Request;
        return new JsonObject
        {
            ["name"] = testCase.Name,
            ["passed"] = run.Passed,
            ["request"] = new JsonObject
            {
                ["operation"] = request.Operation,
                ["group"] = request.Resource.Group,
                ["version"] = request.Resource.Version,
                ["resource"] = request.Resource.Resource,
                ["subResource"] = request.SubResource,
                ["namespace"] = request.Namespace,
                ["name"] = request.Name,
                ["user"] = request.UserInfo.Username,
                ["groups"] = Strings(request.UserInfo.Groups),
                ["dryRun"] = request.DryRun,
                ["time"] = PolicyTestReport.Time(testCase.Now),
                ["cluster"] = Strings(testCase.ClusterObjects),
            },
            ["result"] = new JsonObject
            {
                ["outcome"] = result.Outcome.ToString(),
                ["gated"] = result.Gated,
                ["policies"] = Array(result.Policies.Select(p => new JsonObject { ["name"] = p.Name, ["enforcement"] = p.Enforcement.ToString() })),
                ["enforcement"] = result.Enforcement?.ToString(),
                ["scope"] = result.Scope?.ToString(),
                ["approvers"] = Array(result.Approvers.Select(a => new JsonObject
                {
                    ["name"] = a.Name,
                    ["policy"] = a.Policy,
                    ["users"] = Strings(a.Users),
                    ["groups"] = Strings(a.Groups),
                    ["minApprovals"] = a.MinApprovals,
                })),
                ["autoApprovedBy"] = Strings(result.AutoApprovedBy),
                ["message"] = result.Message,
                ["warnings"] = Strings(result.Warnings),
                ["note"] = result.Note,
                ["evaluations"] = Array(result.Evaluations.Select(e => new JsonObject
                {
                    ["policy"] = e.Policy.Name,
                    ["enforcement"] = e.Policy.Enforcement.ToString(),
                    ["outcome"] = e.Outcome.ToString(),
                    ["stage"] = e.Stage.ToString(),
                    ["reason"] = e.Reason,
                })),
            },
            ["differences"] = Array(run.Differences.Select(d => new JsonObject { ["field"] = d.Field, ["expected"] = d.Expected, ["actual"] = d.Actual })),
        };
    }

    private static JsonArray Array(IEnumerable<JsonNode> items) => [.. items];

    private static JsonArray Strings(IEnumerable<string> items) => [.. items.Select(s => (JsonNode)JsonValue.Create(s))];
}
