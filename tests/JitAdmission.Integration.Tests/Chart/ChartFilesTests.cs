using JitAdmission.Core.Text;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using JitAdmission.Integration.Tests.Crds;
using static JitAdmission.Integration.Tests.Chart.RenderedChart;

namespace JitAdmission.Integration.Tests.Chart;

/// <summary>Files that must stay in step with others: the chart's CRDs, the plain manifests, Chart.yaml and values.yaml.</summary>
public sealed partial class ChartFilesTests
{
    private const string RuntimeObjectsSource = "# Source: jit-admission/templates/runtime-objects.yaml";

    [Fact]
    public void The_chart_ships_the_CRDs_byte_for_byte()
    {
        var chartCrds = Path.Combine(ChartTools.ChartDirectory, "crds");
        var expected = Directory.GetFiles(CrdFiles.CrdDirectory, "*.yaml").Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        var actual = Directory.GetFiles(chartCrds).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();

        Assert.Equal(expected, actual);
        foreach (var file in expected)
            Assert.True(
                File.ReadAllBytes(Path.Combine(CrdFiles.CrdDirectory, file!)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(chartCrds, file!))),
                $"charts/jit-admission/crds/{file} differs from crds/{file}: run `make chart-crds`");
    }

    [Fact]
    public void The_chart_ships_the_dashboard_and_the_alerts_of_deploy_monitoring_byte_for_byte()
    {
        var expected = Directory.GetFiles(ChartTools.MonitoringDirectory).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        var actual = Directory.GetFiles(ChartTools.ChartFilesDirectory).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();

        Assert.Equal(["jit-admission-alerts.yaml", "jit-admission-dashboard.json"], expected);
        Assert.Equal(expected, actual);
        foreach (var file in expected)
            Assert.True(
                File.ReadAllBytes(Path.Combine(ChartTools.MonitoringDirectory, file!)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(ChartTools.ChartFilesDirectory, file!))),
                $"charts/jit-admission/files/{file} differs from deploy/monitoring/{file}: run `make chart-monitoring`");
    }

    [Fact]
    public async Task Deploy_manifests_are_a_fresh_render_of_the_default_values()
    {
        // The same command as deploy/manifests/render.sh (`make manifests`), split the same way.
        var render = await ChartTools.RunHelmAsync(["template", "jit-admission", ChartTools.ChartDirectory, "--namespace", "jit-admission"]);
        Assert.True(render.Succeeded, render.ToString());
        var documents = Documents(render.Stdout);

        var main = Documents(Body(Path.Combine(ChartTools.ManifestsDirectory, "jit-admission.yaml")));
        var runtime = Documents(Body(Path.Combine(ChartTools.ManifestsDirectory, "runtime-objects.yaml")));

        Assert.Equal(documents.Where(d => !d.Contains(RuntimeObjectsSource, StringComparison.Ordinal)), main);
        Assert.Equal(documents.Where(d => d.Contains(RuntimeObjectsSource, StringComparison.Ordinal)), runtime);
        Assert.Equal(["Lease", "Secret"], runtime.SelectMany(d => ChartTools.ParseObjects(d)).Select(o => Text(o["kind"])).Order(StringComparer.Ordinal));
        Assert.DoesNotContain(main.SelectMany(d => ChartTools.ParseObjects(d)), o => Text(o["kind"]) == "CustomResourceDefinition");
    }

    [Fact]
    public void Chart_yaml_declares_a_v2_chart_at_0_1_0()
    {
        var chart = YamlToJson.ParseSingleObject(File.ReadAllText(Path.Combine(ChartTools.ChartDirectory, "Chart.yaml")));

        Assert.Equal("v2", Text(chart["apiVersion"]));
        Assert.Equal("jit-admission", Text(chart["name"]));
        Assert.Equal("0.1.0", Text(chart["version"]));
        Assert.Equal("0.1.0", Text(chart["appVersion"]));
        Assert.Equal("application", Text(chart["type"]));
        Assert.False(string.IsNullOrWhiteSpace(Text(chart["kubeVersion"])));
    }

    [Fact]
    public void Every_value_in_values_yaml_is_documented_by_a_comment_and_typed_in_the_schema()
    {
        var lines = File.ReadAllLines(Path.Combine(ChartTools.ChartDirectory, "values.yaml"));
        var schema = JsonNode.Parse(File.ReadAllText(Path.Combine(ChartTools.ChartDirectory, "values.schema.json")))!.AsObject();
        var path = new List<(int Indent, string Key, bool Commented)>();
        var undocumented = new List<string>();
        var untyped = new List<string>();
        var checkedKeys = 0;

        for (var i = 0; i < lines.Length; i++)
        {
            var match = KeyLine().Match(lines[i]);
            if (!match.Success) continue;
            var indent = match.Groups[1].Value.Length;
            path.RemoveAll(p => p.Indent >= indent);
            path.Add((indent, match.Groups[2].Value, i > 0 && lines[i - 1].TrimStart().StartsWith('#')));
            var dotted = string.Join('.', path.Select(p => p.Key));

            switch (Lookup(schema, path.Select(p => p.Key).ToList()))
            {
                case SchemaMatch.Missing:
                    untyped.Add(dotted);
                    break;
                case SchemaMatch.InsideFreeForm:
                    continue; // an example entry of a documented list or map
            }

            checkedKeys++;
            // Documented by a comment right above it or above one of its parents (for a group of keys).
            if (!path.Any(p => p.Commented)) undocumented.Add(dotted);
        }

        Assert.Empty(undocumented);
        Assert.Empty(untyped);
        Assert.True(checkedKeys > 50, $"only {checkedKeys} keys found: is the parser still reading values.yaml?");
    }

    private enum SchemaMatch
    {
        Typed,
        InsideFreeForm,
        Missing,
    }

    /// <summary>Follows properties; below an array or a free-form object every key is the value's own content.</summary>
    private static SchemaMatch Lookup(JsonObject root, List<string> path)
    {
        var node = root;
        for (var i = 0; i < path.Count; i++)
        {
            node = Resolve(root, node);
            var type = node["type"]?.ToJsonString() ?? "";
            if (i > 0 && (type.Contains("array", StringComparison.Ordinal) || (node["properties"] is null && node["additionalProperties"] is not JsonValue)))
                return SchemaMatch.InsideFreeForm;
            if (node["properties"]?[path[i]] is not JsonObject child) return SchemaMatch.Missing;
            node = child;
        }

        return SchemaMatch.Typed;
    }

    private static JsonObject Resolve(JsonObject root, JsonObject node)
    {
        if (node["$ref"] is JsonValue reference && reference.GetValue<string>() is var r && r.StartsWith("#/definitions/", StringComparison.Ordinal))
            return root["definitions"]![r["#/definitions/".Length..]]!.AsObject();
        if (node["allOf"] is JsonArray all && all.FirstOrDefault() is JsonObject first) return Resolve(root, first);
        return node;
    }

    /// <summary>A generated file without its leading comment header.</summary>
    private static string Body(string file)
    {
        var text = File.ReadAllText(file);
        Assert.StartsWith("# Generated by 'make manifests'", text);
        var start = text.IndexOf("\n---\n", StringComparison.Ordinal);
        return start < 0 ? "" : text[(start + 1)..];
    }

    /// <summary>Documents of a helm template output, each without its "---" separator.</summary>
    private static List<string> Documents(string yaml)
    {
        var documents = new List<string>();
        var current = new StringBuilder();
        foreach (var line in yaml.Split('\n'))
        {
            if (line == "---")
            {
                if (current.Length > 0) documents.Add(current.ToString().TrimEnd('\n'));
                current.Clear();
                continue;
            }

            current.Append(line).Append('\n');
        }

        if (current.ToString().Trim().Length > 0) documents.Add(current.ToString().TrimEnd('\n'));
        return documents;
    }

    [GeneratedRegex(@"^( *)([A-Za-z][A-Za-z0-9_-]*):")]
    private static partial Regex KeyLine();
}
