using System.Text.RegularExpressions;
using YamlDotNet.Serialization;

namespace JitAdmission.Webhook.Tests.Monitoring;

/// <summary>deploy/monitoring/jit-admission-alerts.yaml: a PrometheusRule whose alerts query real metrics and point at a runbook that exists.</summary>
public sealed partial class AlertRuleTests
{
    private static readonly string[] Severities = ["critical", "warning", "info"];

    private static Dictionary<object, object> Load() =>
        new DeserializerBuilder().Build().Deserialize<Dictionary<object, object>>(File.ReadAllText(MonitoringFiles.Alerts));

    private static Dictionary<object, object> Map(object? value, string what) =>
        value as Dictionary<object, object> ?? throw new Xunit.Sdk.XunitException($"{what} is not a mapping");

    private static List<Dictionary<object, object>> Rules(Dictionary<object, object> rule) =>
        [.. ((List<object>)Map(rule["spec"], "spec")["groups"]).SelectMany(g => (List<object>)Map(g, "group")["rules"]).Select(r => Map(r, "rule"))];

    [Fact]
    public void Is_a_prometheus_rule_with_named_groups()
    {
        var rule = Load();

        Assert.Equal("monitoring.coreos.com/v1", rule["apiVersion"]);
        Assert.Equal("PrometheusRule", rule["kind"]);
        Assert.Equal("jit-admission", Map(rule["metadata"], "metadata")["name"]);
        var groups = ((List<object>)Map(rule["spec"], "spec")["groups"]).Select(g => Map(g, "group")).ToList();
        Assert.NotEmpty(groups);
        Assert.Equal(groups.Count, groups.Select(g => (string)g["name"]).Distinct(StringComparer.Ordinal).Count());
        Assert.All(groups, g => Assert.NotEmpty((List<object>)g["rules"]));
    }

    [Fact]
    public void Every_alert_has_a_severity_a_summary_a_description_and_a_runbook_section_that_exists()
    {
        var anchors = MonitoringFiles.Anchors(File.ReadAllText(MonitoringFiles.Operations));
        var problems = new List<string>();
        var seen = new HashSet<(string, string)>();
        foreach (var rule in Rules(Load()))
        {
            var alert = rule.GetValueOrDefault("alert") as string ?? "";
            if (!AlertName().IsMatch(alert)) problems.Add($"'{alert}': alert names are CamelCase");
            var labels = Map(rule.GetValueOrDefault("labels"), $"{alert} labels");
            var severity = labels.GetValueOrDefault("severity") as string ?? "";
            if (!Severities.Contains(severity)) problems.Add($"{alert}: severity '{severity}'");
            if (!seen.Add((alert, severity))) problems.Add($"{alert}: twice with severity {severity}");
            if (rule.GetValueOrDefault("for") is string wait && !Duration().IsMatch(wait)) problems.Add($"{alert}: for '{wait}'");
            var annotations = Map(rule.GetValueOrDefault("annotations"), $"{alert} annotations");
            foreach (var key in new[] { "summary", "description", "runbook" })
            {
                if (string.IsNullOrWhiteSpace(annotations.GetValueOrDefault(key) as string)) problems.Add($"{alert}: no {key}");
            }

            var runbook = annotations.GetValueOrDefault("runbook") as string ?? "";
            var anchor = runbook.StartsWith("docs/operations.md#", StringComparison.Ordinal) ? runbook["docs/operations.md#".Length..] : null;
            if (anchor is null || !anchors.Contains(anchor)) problems.Add($"{alert}: runbook '{runbook}' is not a section of docs/operations.md");
            if (anchor is not null && !string.Equals(anchor, alert, StringComparison.OrdinalIgnoreCase)) problems.Add($"{alert}: runbook section is named for another alert ({anchor})");
        }

        Assert.Empty(problems);
        Assert.True(seen.Count >= 8, $"only {seen.Count} alerts");
    }

    [Fact]
    public async Task Every_expression_parses_and_names_only_metrics_that_exist()
    {
        var known = await MonitoringFiles.KnownNamesAsync();
        var problems = new List<string>();
        foreach (var rule in Rules(Load()))
        {
            var name = rule.GetValueOrDefault("alert") as string ?? rule.GetValueOrDefault("record") as string ?? "?";
            problems.AddRange(MonitoringFiles.Problems(name, rule.GetValueOrDefault("expr") as string ?? "", known));
        }

        Assert.Empty(problems);
    }

    [Fact]
    public void The_alerts_cover_the_webhook_the_leader_the_certificate_and_the_approvals()
    {
        var expressions = Rules(Load()).ToDictionary(r => $"{r["alert"]}/{Map(r["labels"], "labels")["severity"]}", r => (string)r["expr"], StringComparer.Ordinal);

        foreach (var metric in new[]
        {
            "apiserver_admission_webhook_rejection_count", "apiserver_admission_webhook_fail_open_count", "apiserver_admission_webhook_request_total",
            "jitadmission_leader", "jitadmission_serving_certificate_expiry_timestamp_seconds", "jitadmission_approval_expiries_total",
            "jitadmission_notifications_total",
        })
        {
            Assert.Contains(expressions.Values, e => PromQlParser.Parse(e).MetricNames().Contains(metric));
        }
    }

    [GeneratedRegex("^(?:[A-Z][a-z0-9]*)+$")]
    private static partial Regex AlertName();

    [GeneratedRegex("^(?:[0-9]+(?:ms|s|m|h|d|w|y))+$")]
    private static partial Regex Duration();
}
