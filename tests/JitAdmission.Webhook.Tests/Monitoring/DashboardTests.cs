using System.Text.Json;
using System.Text.RegularExpressions;

namespace JitAdmission.Webhook.Tests.Monitoring;

/// <summary>deploy/monitoring/jit-admission-dashboard.json: valid Grafana JSON whose every panel queries real metrics correctly.</summary>
public sealed partial class DashboardTests
{
    /// <summary>What Grafana puts in place of its variables before Prometheus sees a query.</summary>
    private static readonly Dictionary<string, string> Variables = new(StringComparer.Ordinal)
    {
        ["$__rate_interval"] = "1m",
        ["$__interval"] = "30s",
        ["$__range"] = "6h",
        ["$policy"] = ".*",
    };

    private static JsonElement Load()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(MonitoringFiles.Dashboard));
        return document.RootElement.Clone();
    }

    private static IEnumerable<JsonElement> Panels(JsonElement dashboard) =>
        dashboard.GetProperty("panels").EnumerateArray().SelectMany(p =>
            p.TryGetProperty("panels", out var nested) ? nested.EnumerateArray().Prepend(p) : [p]);

    private static string Substitute(string query)
    {
        foreach (var (name, value) in Variables.OrderByDescending(v => v.Key.Length)) query = query.Replace(name, value, StringComparison.Ordinal);
        return query;
    }

    [Fact]
    public void Is_a_dashboard_with_a_prometheus_data_source_variable_and_panels()
    {
        var dashboard = Load();

        Assert.Equal("jit-admission", dashboard.GetProperty("uid").GetString());
        Assert.False(string.IsNullOrWhiteSpace(dashboard.GetProperty("title").GetString()));
        var variables = dashboard.GetProperty("templating").GetProperty("list").EnumerateArray().ToList();
        var datasource = Assert.Single(variables, v => v.GetProperty("type").GetString() == "datasource");
        Assert.Equal(("datasource", "prometheus"), (datasource.GetProperty("name").GetString(), datasource.GetProperty("query").GetString()));
        Assert.True(Panels(dashboard).Count(p => p.GetProperty("type").GetString() != "row") >= 15);
    }

    [Fact]
    public void Every_panel_has_the_data_source_and_targets_with_distinct_ids_and_a_place_of_its_own()
    {
        var dashboard = Load();
        var problems = new List<string>();
        var cells = new Dictionary<(int X, int Y), string>();
        var ids = new HashSet<int>();
        foreach (var panel in Panels(dashboard))
        {
            var title = panel.GetProperty("title").GetString() ?? "";
            if (!ids.Add(panel.GetProperty("id").GetInt32())) problems.Add($"{title}: duplicate id");
            var grid = panel.GetProperty("gridPos");
            var (x, y, w, h) = (grid.GetProperty("x").GetInt32(), grid.GetProperty("y").GetInt32(), grid.GetProperty("w").GetInt32(), grid.GetProperty("h").GetInt32());
            if (w <= 0 || h <= 0 || x < 0 || x + w > 24) problems.Add($"{title}: gridPos outside the 24 columns");
            for (var i = x; i < x + w; i++)
            {
                for (var j = y; j < y + h; j++)
                {
                    if (!cells.TryAdd((i, j), title)) problems.Add($"{title}: overlaps {cells[(i, j)]} at ({i},{j})");
                }
            }

            if (panel.GetProperty("type").GetString() == "row") continue;
            if (!panel.TryGetProperty("datasource", out var source) || source.GetProperty("uid").GetString() != "${datasource}"
                || source.GetProperty("type").GetString() != "prometheus")
                problems.Add($"{title}: no Prometheus data source from the $datasource variable");
            if (!panel.TryGetProperty("targets", out var targets) || targets.GetArrayLength() == 0)
            {
                problems.Add($"{title}: no targets");
                continue;
            }

            var refIds = new HashSet<string>(StringComparer.Ordinal);
            foreach (var target in targets.EnumerateArray())
            {
                if (!refIds.Add(target.GetProperty("refId").GetString() ?? "")) problems.Add($"{title}: duplicate refId");
                if (string.IsNullOrWhiteSpace(target.GetProperty("expr").GetString())) problems.Add($"{title}: empty expr");
                if (target.GetProperty("datasource").GetProperty("uid").GetString() != "${datasource}") problems.Add($"{title}: target data source");
            }
        }

        Assert.Empty(problems);
    }

    [Fact]
    public async Task Every_query_parses_and_names_only_metrics_that_exist()
    {
        var known = await MonitoringFiles.KnownNamesAsync();
        var problems = new List<string>();
        var queries = 0;
        foreach (var panel in Panels(Load()).Where(p => p.TryGetProperty("targets", out _)))
        {
            foreach (var target in panel.GetProperty("targets").EnumerateArray())
            {
                var query = Substitute(target.GetProperty("expr").GetString() ?? "");
                var where = $"panel '{panel.GetProperty("title").GetString()}' {target.GetProperty("refId").GetString()}";
                if (UnknownVariable().Match(query) is { Success: true } unknown) problems.Add($"{where}: unknown variable {unknown.Value}");
                else problems.AddRange(MonitoringFiles.Problems(where, query, known));
                queries++;
            }
        }

        Assert.Empty(problems);
        Assert.True(queries >= 25, $"only {queries} queries found");
    }

    [Fact]
    public async Task Template_variables_list_values_of_metrics_that_exist()
    {
        var known = await MonitoringFiles.KnownNamesAsync();
        foreach (var variable in Load().GetProperty("templating").GetProperty("list").EnumerateArray().Where(v => v.GetProperty("type").GetString() == "query"))
        {
            var definition = variable.GetProperty("definition").GetString() ?? "";
            var match = LabelValues().Match(definition);
            Assert.True(match.Success, $"variable {variable.GetProperty("name").GetString()}: {definition}");
            Assert.Contains(match.Groups[1].Value, known);
            Assert.Contains("$" + variable.GetProperty("name").GetString(), Variables.Keys);
        }
    }

    [Fact]
    public void The_name_check_catches_a_misspelt_metric_and_a_broken_query()
    {
        var known = new HashSet<string>(StringComparer.Ordinal) { "jitadmission_held_calls", "apiserver_admission_webhook_fail_open_count" };

        Assert.Empty(MonitoringFiles.Problems("ok", "sum(jitadmission_held_calls)", known));
        Assert.Contains("no such metric jitadmission_held_call", Assert.Single(MonitoringFiles.Problems("typo", "sum(jitadmission_held_call)", known)), StringComparison.Ordinal);
        Assert.Contains("expected ')'", Assert.Single(MonitoringFiles.Problems("broken", "sum(jitadmission_held_calls", known)), StringComparison.Ordinal);
        Assert.Contains("has no label code", Assert.Single(MonitoringFiles.Problems("label", "apiserver_admission_webhook_fail_open_count{code=\"500\"}", known)), StringComparison.Ordinal);
    }

    [GeneratedRegex(@"\$\{?[a-zA-Z_][a-zA-Z0-9_]*")]
    private static partial Regex UnknownVariable();

    [GeneratedRegex(@"^label_values\(([a-zA-Z_:][a-zA-Z0-9_:]*)\s*,\s*[a-zA-Z_][a-zA-Z0-9_]*\)$")]
    private static partial Regex LabelValues();
}
