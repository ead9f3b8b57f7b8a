using System.Text.Json.Nodes;
using static JitAdmission.Integration.Tests.Chart.RenderedChart;

namespace JitAdmission.Integration.Tests.Chart;

/// <summary>Renders the chart once with <see cref="ChartValues.Production"/> (every option on).</summary>
public sealed class ProductionRender : IAsyncLifetime
{
    internal RenderedChart Chart { get; private set; } = new([]);

    public async Task InitializeAsync() => Chart = await ChartTools.TemplateAsync(ChartValues.Production);

    public Task DisposeAsync() => Task.CompletedTask;
}

/// <summary>What the optional features and non-default values render.</summary>
public sealed class ChartOptionRenderTests(ProductionRender render) : IClassFixture<ProductionRender>
{
    private RenderedChart Chart => render.Chart;

    [Fact]
    public void Cert_manager_issues_the_serving_certificate_into_the_mounted_Secret_and_injects_the_CA()
    {
        var issuer = Chart.Single("Issuer");
        Assert.NotNull(issuer["spec"]!["selfSigned"]);

        var certificate = Chart.Single("Certificate")["spec"]!;
        Assert.Equal("jit-admission-tls", Text(certificate["secretName"]));
        Assert.Equal(Name(issuer), Text(certificate["issuerRef"]!["name"]));
        Assert.Equal("Issuer", Text(certificate["issuerRef"]!["kind"]));
        Assert.Equal(
            ["jit-admission", "jit-admission.jit-admission", "jit-admission.jit-admission.svc", "jit-admission.jit-admission.svc.cluster.local"],
            Strings(certificate["dnsNames"]));
        Assert.Contains("server auth", Strings(certificate["usages"]));

        var mount = Items(Chart.Container["volumeMounts"]).Single(m => Text(m["name"]) == "tls");
        Assert.True((bool)mount["readOnly"]!);
        var volume = Items(Chart.PodSpec["volumes"]).Single(v => Text(v["name"]) == "tls");
        Assert.Equal("jit-admission-tls", Text(volume["secret"]!["secretName"]));
        var dir = Text(mount["mountPath"]);
        Assert.Equal("Files", Chart.Arg("--cert-mode"));
        Assert.Equal($"{dir}/tls.crt", Chart.Arg("--tls-cert-file"));
        Assert.Equal($"{dir}/tls.key", Chart.Arg("--tls-key-file"));
        Assert.Equal($"{dir}/ca.crt", Chart.Arg("--tls-ca-file"));
        Assert.Null(Chart.Arg("--cert-secret"));

        foreach (var kind in new[] { "ValidatingWebhookConfiguration", "MutatingWebhookConfiguration" })
            Assert.Equal("jit-admission/jit-admission", Text(Chart.Single(kind)["metadata"]!["annotations"]!["cert-manager.io/inject-ca-from"]));
        // The Secret cert-manager fills is still a release object, so uninstall removes it.
        Assert.Equal("kubernetes.io/tls", Text(Chart.Get("Secret", "jit-admission-tls")["type"]));
    }

    [Fact]
    public async Task Cert_manager_can_use_an_existing_ClusterIssuer()
    {
        var chart = await ChartTools.TemplateAsync(ChartValues.ExistingIssuerAndNames);

        Assert.False(chart.Has("Issuer"));
        var issuerRef = chart.Single("Certificate")["spec"]!["issuerRef"]!;
        Assert.Equal("corporate-ca", Text(issuerRef["name"]));
        Assert.Equal("ClusterIssuer", Text(issuerRef["kind"]));
        Assert.Equal("cert-manager.io", Text(issuerRef["group"]));
        Assert.Equal("jit-admission/jit", Text(chart.Single("ValidatingWebhookConfiguration")["metadata"]!["annotations"]!["cert-manager.io/inject-ca-from"]));
    }

    [Fact]
    public void The_ServiceMonitor_scrapes_the_metrics_port_of_the_Service()
    {
        var monitor = Chart.Single("ServiceMonitor");
        Assert.Equal("prometheus", Text(monitor["metadata"]!["labels"]!["release"]));
        var endpoint = Items(monitor["spec"]!["endpoints"]).Single();
        Assert.Equal("metrics", Text(endpoint["port"]));
        Assert.Equal("/metrics", Text(endpoint["path"]));
        Assert.Equal("http", Text(endpoint["scheme"]));

        var service = Chart.Single("Service");
        foreach (var (key, value) in monitor["spec"]!["selector"]!["matchLabels"]!.AsObject())
            Assert.Equal(Text(value), Text(service["metadata"]!["labels"]![key]));
        Assert.Equal(["jit-admission"], Strings(monitor["spec"]!["namespaceSelector"]!["matchNames"]));
        Assert.Equal(9100, Number(Items(service["spec"]!["ports"]).Single(p => Text(p["name"]) == "metrics")["port"]));
        Assert.Equal("http://0.0.0.0:9100", Chart.Arg("--metrics-listen"));
    }

    [Fact]
    public void The_NetworkPolicy_admits_the_webhook_and_scrapers_and_lets_out_DNS_and_the_API_server()
    {
        var policy = Chart.Single("NetworkPolicy")["spec"]!;
        Assert.Equal(["Ingress", "Egress"], Strings(policy["policyTypes"]));
        foreach (var (key, value) in policy["podSelector"]!["matchLabels"]!.AsObject())
            Assert.Equal(Text(value), Text(Chart.Deployment["spec"]!["template"]!["metadata"]!["labels"]![key]));

        var ingress = Items(policy["ingress"]).ToList();
        var webhook = ingress.Single(r => Items(r["ports"]).Any(p => Text(p["port"]) == "https"));
        Assert.Null(webhook["from"]); // the API server's addresses are not selectable
        var metrics = ingress.Single(r => Items(r["ports"]).Any(p => Text(p["port"]) == "metrics"));
        Assert.Equal("monitoring", Text(Items(metrics["from"]).Single()["namespaceSelector"]!["matchLabels"]!["kubernetes.io/metadata.name"]));

        var egressPorts = Items(policy["egress"]).SelectMany(r => Items(r["ports"])).Select(p => $"{Text(p["protocol"])}/{p["port"]!.ToJsonString()}").ToList();
        Assert.Contains("UDP/53", egressPorts);
        Assert.Contains("TCP/53", egressPorts);
        Assert.Contains("TCP/443", egressPorts);
        Assert.Contains("TCP/6443", egressPorts);
    }

    [Fact]
    public void Replicas_budget_priority_image_logging_and_the_grace_period_follow_the_values()
    {
        Assert.Equal(3, Number(Chart.Deployment["spec"]!["replicas"]));
        Assert.Equal(2, Number(Chart.Single("PodDisruptionBudget")["spec"]!["minAvailable"]));
        Assert.Equal("system-cluster-critical", Text(Chart.PodSpec["priorityClassName"]));
        Assert.Equal($"ghcr.io/jitadmission/jit-admission@{ChartValues.Digest}", Text(Chart.Container["image"]));
        Assert.Equal("Debug", Chart.Arg("--Logging:LogLevel:Default"));
        Assert.Equal("30", Chart.Arg("--retention"));
        Assert.Equal("64", Chart.Arg("--Webhook:MaxJsonDepth"));
        Assert.Equal("monitoring", Chart.Arg("--Operator:ExcludedNamespaces:0"));
        Assert.Equal("cert-manager", Chart.Arg("--Operator:ExcludedNamespaces:1"));
        Assert.Contains(Items(Chart.Container["env"]), e => Text(e["name"]) == "DOTNET_gcServer");
        Assert.Equal(10, Number(Chart.Container["lifecycle"]!["preStop"]!["sleep"]!["seconds"]));
        // preStop 10 + timeout 15 + 10
        Assert.Equal(35, Number(Chart.PodSpec["terminationGracePeriodSeconds"]));
        Assert.All(Chart.Objects, o => Assert.Equal("platform", Text(o["metadata"]!["labels"]!["team"])));
    }

    [Fact]
    public async Task A_single_replica_without_leader_election_gets_no_budget_no_Lease_no_Secret_and_no_preStop_hook()
    {
        var chart = await ChartTools.TemplateAsync(ChartValues.Minimal);

        Assert.Equal(1, Number(chart.Deployment["spec"]!["replicas"]));
        Assert.False(chart.Has("PodDisruptionBudget"));
        Assert.False(chart.Has("Lease"));
        Assert.False(chart.Has("Secret"));
        Assert.Null(chart.Container["lifecycle"]);
        Assert.Null(chart.Arg("--metrics-listen"));
        Assert.Null(chart.Arg("--LeaderElection:LeaseName"));
        Assert.DoesNotContain(Items(chart.Single("Service")["spec"]!["ports"]), p => Text(p["name"]) == "metrics");
        Assert.DoesNotContain(Items(chart.Container["ports"]), p => Text(p["name"]) == "metrics");
        // The program still keeps its certificate in the Secret: it creates it itself.
        Assert.Equal("Secret", chart.Arg("--cert-mode"));
    }

    [Fact]
    public async Task Names_follow_fullnameOverride_and_an_explicit_spread_and_grace_period_are_kept()
    {
        var chart = await ChartTools.TemplateAsync(ChartValues.ExistingIssuerAndNames);

        // The people's roles have fixed names (docs and kubectl jit name them); everything of the program follows the override.
        Assert.All(chart.Objects.Where(o => Text(o["kind"]) is not "Secret").Except(chart.UserRbac), o => Assert.Equal("jit", Name(o)));
        Assert.All(chart.UserRbac, o => Assert.StartsWith("jit-admission-", Name(o), StringComparison.Ordinal));
        Assert.Equal("jit-tls", Name(chart.Single("Secret")));
        Assert.Equal("jit", chart.Arg("--service-name"));
        Assert.Equal("8443", chart.Arg("--service-port"));
        Assert.Equal(8443, Number(Items(chart.Single("ValidatingWebhookConfiguration")["webhooks"]).First()["clientConfig"]!["service"]!["port"]));
        Assert.Equal(120, Number(chart.PodSpec["terminationGracePeriodSeconds"]));
        var constraint = Items(chart.PodSpec["topologySpreadConstraints"]).Single();
        Assert.Equal("DoNotSchedule", Text(constraint["whenUnsatisfiable"]));
        Assert.NotNull(constraint["labelSelector"]!["matchLabels"]);
    }

    [Fact]
    public async Task Release_names_that_contain_the_chart_name_are_used_as_they_are()
    {
        var chart = await ChartTools.TemplateAsync(release: "prod-jit-admission", @namespace: "security");
        var other = await ChartTools.TemplateAsync(release: "gate", @namespace: "security");

        Assert.Equal("prod-jit-admission", chart.Arg("--service-name"));
        Assert.Equal("gate-jit-admission", other.Arg("--service-name"));
        Assert.Equal("security", other.Arg("--namespace"));
        Assert.Equal("gate-jit-admission-tls", other.Arg("--cert-secret"));
        Assert.All(other.Objects.Where(o => Namespace(o) is not null), o => Assert.Equal("security", Namespace(o)));
    }
}
