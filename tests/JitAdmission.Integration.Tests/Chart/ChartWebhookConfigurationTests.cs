using System.Text.Json.Nodes;
using static JitAdmission.Integration.Tests.Chart.RenderedChart;

namespace JitAdmission.Integration.Tests.Chart;

/// <summary>The webhook configurations the chart ships: names, paths and policies of docs/configuration.md.</summary>
public sealed class ChartWebhookConfigurationTests(DefaultRender render) : IClassFixture<DefaultRender>
{
    private RenderedChart Chart => render.Chart;

    private JsonObject Webhook(string kind, string name) =>
        Items(Chart.Single(kind)["webhooks"]).Single(w => Text(w["name"]) == name);

    [Fact]
    public void Both_configurations_hold_exactly_the_documented_webhooks()
    {
        Assert.Equal(["gate.jitadmission.io", "release.jitadmission.io", "guard.jitadmission.io"], Items(Chart.Single("ValidatingWebhookConfiguration")["webhooks"]).Select(w => Text(w["name"])));
        Assert.Equal(["stamp.jitadmission.io"], Items(Chart.Single("MutatingWebhookConfiguration")["webhooks"]).Select(w => Text(w["name"])));
    }

    [Theory]
    [InlineData("ValidatingWebhookConfiguration", "gate.jitadmission.io", "/validate", "NoneOnDryRun")]
    [InlineData("ValidatingWebhookConfiguration", "release.jitadmission.io", "/validate", "NoneOnDryRun")]
    [InlineData("ValidatingWebhookConfiguration", "guard.jitadmission.io", "/guard", "None")]
    [InlineData("MutatingWebhookConfiguration", "stamp.jitadmission.io", "/mutate", "None")]
    public void Each_webhook_calls_its_path_on_the_release_Service_without_a_caBundle(string kind, string name, string path, string sideEffects)
    {
        var webhook = Webhook(kind, name);
        var service = Chart.Single("Service");
        var reference = webhook["clientConfig"]!["service"]!;

        Assert.Equal(Text(service["metadata"]!["name"]), Text(reference["name"]));
        Assert.Equal(Namespace(service), Text(reference["namespace"]));
        Assert.Equal(path, Text(reference["path"]));
        Assert.Equal(Number(Items(service["spec"]!["ports"]).Single(p => Text(p["name"]) == "https")["port"]), Number(reference["port"]));
        Assert.Null(webhook["clientConfig"]!["url"]);
        Assert.Null(webhook["clientConfig"]!["caBundle"]);
        Assert.Equal(sideEffects, Text(webhook["sideEffects"]));
        Assert.Equal(["v1"], Strings(webhook["admissionReviewVersions"]));
        Assert.Equal("Equivalent", Text(webhook["matchPolicy"]));
    }

    [Fact]
    public void The_gate_has_no_rules_and_no_namespace_selector_the_controller_owns_them_and_takes_policy_and_timeout_from_values()
    {
        var gate = Webhook("ValidatingWebhookConfiguration", "gate.jitadmission.io");

        Assert.Null(gate["rules"]);
        Assert.Null(gate["namespaceSelector"]);
        Assert.Equal("Fail", Text(gate["failurePolicy"]));
        Assert.Equal(30, Number(gate["timeoutSeconds"]));
    }

    [Fact]
    public void Guard_and_stamp_fail_closed_on_the_jitadmission_resources()
    {
        var guard = Webhook("ValidatingWebhookConfiguration", "guard.jitadmission.io");
        var stamp = Webhook("MutatingWebhookConfiguration", "stamp.jitadmission.io");

        Assert.Equal("Fail", Text(guard["failurePolicy"]));
        Assert.Equal("Fail", Text(stamp["failurePolicy"]));
        Assert.Equal("Never", Text(stamp["reinvocationPolicy"]));

        var guardRules = Items(guard["rules"]).ToList();
        Assert.All(guardRules, r => Assert.Equal(["jitadmission.io"], Strings(r["apiGroups"])));
        // Requests are records: their deletion is guarded too.
        Assert.Equal([["approvalrequests"], ["approvalrequests/status", "approvalpolicies"]], guardRules.Select(r => Strings(r["resources"])));
        Assert.Equal([["CREATE", "UPDATE", "DELETE"], ["CREATE", "UPDATE"]], guardRules.Select(r => Strings(r["operations"])));

        var stampRule = Items(stamp["rules"]).Single();
        Assert.Equal(["jitadmission.io"], Strings(stampRule["apiGroups"]));
        Assert.Equal(["CREATE", "UPDATE"], Strings(stampRule["operations"]));
        Assert.Equal(["approvalrequests"], Strings(stampRule["resources"]));
    }

    [Fact]
    public void Guard_and_stamp_exempt_no_namespace_or_object()
    {
        foreach (var webhook in new[] { Webhook("ValidatingWebhookConfiguration", "guard.jitadmission.io"), Webhook("MutatingWebhookConfiguration", "stamp.jitadmission.io") })
        {
            Assert.Null(webhook["namespaceSelector"]);
            Assert.Null(webhook["objectSelector"]);
            Assert.Null(webhook["matchConditions"]);
        }
    }

    [Fact]
    public async Task Values_set_the_gate_timeout_and_failure_policy_and_the_program_gets_the_same()
    {
        var chart = await ChartTools.TemplateAsync(ChartValues.Production);
        var webhooks = Items(chart.Single("ValidatingWebhookConfiguration")["webhooks"]).ToDictionary(w => Text(w["name"])!);

        Assert.Equal(15, Number(webhooks["gate.jitadmission.io"]["timeoutSeconds"]));
        Assert.Equal("Ignore", Text(webhooks["gate.jitadmission.io"]["failurePolicy"]));
        Assert.Equal("15", chart.Arg("--webhook-timeout"));
        Assert.Equal("Ignore", chart.Arg("--failure-policy"));
        // Only the gate follows the value: the workflow's own webhooks never fail open.
        Assert.Equal("Fail", Text(webhooks["guard.jitadmission.io"]["failurePolicy"]));
        Assert.Equal("Fail", Text(Items(chart.Single("MutatingWebhookConfiguration")["webhooks"]).Single()["failurePolicy"]));
    }
}
