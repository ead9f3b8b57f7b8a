using JitAdmission.Core.Text;
using System.Text.Json.Nodes;
using static JitAdmission.Integration.Tests.Chart.RenderedChart;

namespace JitAdmission.Integration.Tests.Chart;

/// <summary>
/// metrics.prometheusRule and metrics.grafanaDashboard: the chart ships deploy/monitoring's alerts and dashboard as they
/// are (<see cref="ChartValues.Production"/> turns both on), labelled and placed as the values say.
/// </summary>
public sealed class ChartMonitoringRenderTests(ProductionRender render) : IClassFixture<ProductionRender>
{
    private const string DashboardKey = "jit-admission-dashboard.json";

    private static string AlertsFile => Path.Combine(ChartTools.MonitoringDirectory, "jit-admission-alerts.yaml");

    private static string DashboardFile => Path.Combine(ChartTools.MonitoringDirectory, DashboardKey);

    private RenderedChart Chart => render.Chart;

    [Fact]
    public void The_PrometheusRule_holds_the_spec_of_deploy_monitoring_unchanged()
    {
        var rule = Chart.Single("PrometheusRule");
        var file = YamlToJson.ParseSingleObject(File.ReadAllText(AlertsFile));

        Assert.Equal("monitoring.coreos.com/v1", Text(rule["apiVersion"]));
        Assert.Equal(AlertNames(file), AlertNames(rule));
        Assert.Contains("JitAdmissionWebhookUnreachable", AlertNames(rule));
        Assert.True(JsonNode.DeepEquals(file["spec"], rule["spec"]), $"rendered spec differs from {AlertsFile}:\n{rule["spec"]?.ToJsonString()}");
        // Prometheus' own templates reach it untouched (Helm must not have read the file as a template).
        Assert.Contains("{{ $labels.name }}", rule["spec"]!.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public void The_PrometheusRule_is_named_for_the_release_and_carries_the_labels_Prometheus_selects_by()
    {
        var rule = Chart.Single("PrometheusRule");
        var labels = rule["metadata"]!["labels"]!;

        Assert.Equal("jit-admission", Name(rule));
        Assert.Equal(ChartTools.DefaultNamespace, Namespace(rule));
        Assert.Equal("prometheus", Text(labels["release"]));
        Assert.Equal("monitoring", Text(labels["app.kubernetes.io/component"]));
        Assert.Equal("jit-admission", Text(labels["app.kubernetes.io/instance"]));
    }

    [Fact]
    public void The_dashboard_ConfigMap_holds_the_JSON_of_deploy_monitoring_byte_for_byte_for_the_Grafana_sidecar()
    {
        var map = Chart.Single("ConfigMap");
        var data = map["data"]!.AsObject();

        Assert.Equal("jit-admission-dashboard", Name(map));
        Assert.Equal(ChartTools.DefaultNamespace, Namespace(map));
        Assert.Equal([DashboardKey], data.Select(kv => kv.Key));
        var json = Text(data[DashboardKey])!;
        Assert.Equal(File.ReadAllText(DashboardFile), json);
        Assert.Equal("jit-admission", Text(JsonNode.Parse(json)!["uid"]));
        Assert.Equal("1", Text(map["metadata"]!["labels"]!["grafana_dashboard"]));
        Assert.Equal("Security", Text(map["metadata"]!["annotations"]!["grafana_folder"]));
    }

    [Fact]
    public async Task Both_go_to_the_namespace_named_with_the_labels_given_and_follow_the_release_name()
    {
        var chart = await ChartTools.TemplateAsync("""
            metrics:
              prometheusRule:
                enabled: true
                namespace: monitoring
                labels: {prometheus: main}
              grafanaDashboard:
                enabled: true
                namespace: grafana
                labels: {grafana_dashboard: null, dashboards: jit}
            """, release: "gate", @namespace: "security");

        var rule = chart.Single("PrometheusRule");
        Assert.Equal("gate-jit-admission", Name(rule));
        Assert.Equal("monitoring", Namespace(rule));
        Assert.Equal("main", Text(rule["metadata"]!["labels"]!["prometheus"]));

        var map = chart.Single("ConfigMap");
        Assert.Equal("gate-jit-admission-dashboard", Name(map));
        Assert.Equal("grafana", Namespace(map));
        var labels = map["metadata"]!["labels"]!.AsObject();
        Assert.Equal("jit", Text(labels["dashboards"]));
        // Helm adds the labels given to the default; null drops the default (values.yaml says so).
        Assert.False(labels.ContainsKey("grafana_dashboard"));
        Assert.Null(map["metadata"]!["annotations"]);
    }

    private static List<string> AlertNames(JsonObject rule) =>
        Items(rule["spec"]!["groups"]).SelectMany(g => Items(g["rules"])).Select(r => Text(r["alert"])!).ToList();
}
