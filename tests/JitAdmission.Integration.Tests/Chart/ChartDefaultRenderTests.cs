using System.Text.Json.Nodes;
using static JitAdmission.Integration.Tests.Chart.RenderedChart;

namespace JitAdmission.Integration.Tests.Chart;

/// <summary>Renders the chart once with default values (helm template, no cluster).</summary>
public sealed class DefaultRender : IAsyncLifetime
{
    internal RenderedChart Chart { get; private set; } = new([]);

    public async Task InitializeAsync() => Chart = await ChartTools.TemplateAsync();

    public Task DisposeAsync() => Task.CompletedTask;
}

/// <summary>What `helm template` renders with default values, read back as objects.</summary>
public sealed class ChartDefaultRenderTests(DefaultRender render) : IClassFixture<DefaultRender>
{
    private const string Name = "jit-admission";
    private const string Ns = "jit-admission";

    private RenderedChart Chart => render.Chart;

    [Fact]
    public void Renders_exactly_the_objects_of_a_default_release()
    {
        string[] expected =
        [
            "ClusterRole/jit-admission", "ClusterRole/jit-admission-approver", "ClusterRole/jit-admission-policy-admin",
            "ClusterRole/jit-admission-requester", "ClusterRole/jit-admission-viewer",
            "ClusterRoleBinding/jit-admission", "Deployment/jit-admission", "Lease/jit-admission",
            "MutatingWebhookConfiguration/jit-admission", "PodDisruptionBudget/jit-admission", "Role/jit-admission",
            "RoleBinding/jit-admission", "Secret/jit-admission-tls", "Service/jit-admission", "ServiceAccount/jit-admission",
            "ValidatingWebhookConfiguration/jit-admission",
        ];
        var rendered = Chart.Objects.Select(o => $"{Text(o["kind"])}/{RenderedChart.Name(o)}").Order(StringComparer.Ordinal);

        Assert.Equal(expected, rendered);
    }

    [Fact]
    public void Renders_neither_the_alerts_nor_the_dashboard()
    {
        Assert.False(Chart.Has("PrometheusRule"));
        Assert.False(Chart.Has("ConfigMap"));
    }

    [Fact]
    public void Every_object_has_the_standard_labels_and_namespaced_ones_live_in_the_release_namespace()
    {
        string[] clusterScoped = ["ClusterRole", "ClusterRoleBinding", "ValidatingWebhookConfiguration", "MutatingWebhookConfiguration"];
        foreach (var o in Chart.Objects)
        {
            var kind = Text(o["kind"])!;
            var labels = o["metadata"]!["labels"]!.AsObject();
            Assert.Equal("jit-admission", Text(labels["app.kubernetes.io/name"]));
            Assert.Equal("jit-admission", Text(labels["app.kubernetes.io/instance"]));
            Assert.Equal("0.1.0", Text(labels["app.kubernetes.io/version"]));
            Assert.Equal("jit-admission-0.1.0", Text(labels["helm.sh/chart"]));
            Assert.Equal("Helm", Text(labels["app.kubernetes.io/managed-by"]));
            Assert.False(string.IsNullOrEmpty(Text(labels["app.kubernetes.io/component"])), $"{kind} has no component label");
            if (clusterScoped.Contains(kind)) Assert.Null(Namespace(o));
            else Assert.Equal(Ns, Namespace(o));
        }
    }

    [Fact]
    public void The_pod_meets_the_restricted_pod_security_standard()
    {
        var pod = Chart.PodSpec["securityContext"]!;
        Assert.True((bool)pod["runAsNonRoot"]!);
        Assert.NotEqual(0, Number(pod["runAsUser"]));
        Assert.NotEqual(0, Number(pod["runAsGroup"]));
        Assert.Equal("RuntimeDefault", Text(pod["seccompProfile"]!["type"]));

        var container = Chart.Container["securityContext"]!;
        Assert.False((bool)container["allowPrivilegeEscalation"]!);
        Assert.False((bool)container["privileged"]!);
        Assert.True((bool)container["readOnlyRootFilesystem"]!);
        Assert.True((bool)container["runAsNonRoot"]!);
        Assert.Equal(["ALL"], Strings(container["capabilities"]!["drop"]));
        Assert.Null(container["capabilities"]!["add"]);

        // Nothing that the restricted profile forbids anywhere in the pod.
        Assert.Null(Chart.PodSpec["hostNetwork"]);
        Assert.Null(Chart.PodSpec["hostPID"]);
        Assert.Null(Chart.PodSpec["hostIPC"]);
        Assert.All(Items(Chart.PodSpec["volumes"]), v => Assert.Null(v["hostPath"]));
        Assert.All(Items(Chart.Container["ports"]), p => Assert.Null(p["hostPort"]));
    }

    [Fact]
    public void The_read_only_root_has_a_writable_tmp_and_the_pod_may_call_the_API_server()
    {
        var tmp = Items(Chart.Container["volumeMounts"]).Single(m => Text(m["mountPath"]) == "/tmp");
        var volume = Items(Chart.PodSpec["volumes"]).Single(v => Text(v["name"]) == Text(tmp["name"]));
        Assert.NotNull(volume["emptyDir"]);
        Assert.NotNull(volume["emptyDir"]!["sizeLimit"]);

        Assert.True((bool)Chart.PodSpec["automountServiceAccountToken"]!);
        Assert.True((bool)Chart.Single("ServiceAccount")["automountServiceAccountToken"]!);
        Assert.Equal(Name, Text(Chart.PodSpec["serviceAccountName"]));
    }

    [Fact]
    public void Probes_use_healthz_and_readyz_over_https_on_the_webhook_port()
    {
        var port = Items(Chart.Container["ports"]).Single(p => Text(p["name"]) == "https");
        Assert.Equal(8443, Number(port["containerPort"]));

        foreach (var (probe, path) in new[] { ("startupProbe", "/healthz"), ("livenessProbe", "/healthz"), ("readinessProbe", "/readyz") })
        {
            var get = Chart.Container[probe]!["httpGet"]!;
            Assert.Equal(path, Text(get["path"]));
            Assert.Equal("HTTPS", Text(get["scheme"]));
            Assert.Equal("https", Text(get["port"]));
        }
    }

    [Fact]
    public void PreStop_sleeps_and_the_grace_period_covers_the_sleep_the_longest_held_call_and_the_hand_over()
    {
        var sleep = Number(Chart.Container["lifecycle"]!["preStop"]!["sleep"]!["seconds"]);
        var grace = Number(Chart.PodSpec["terminationGracePeriodSeconds"]);
        var timeout = long.Parse(Chart.Arg("--webhook-timeout")!, System.Globalization.CultureInfo.InvariantCulture);

        Assert.InRange(sleep, 3, 15);
        Assert.True(grace >= sleep + timeout + 5, $"grace {grace} < preStop {sleep} + webhook timeout {timeout} + 5");
        // No shell in the image: the hook must not exec one.
        Assert.Null(Chart.Container["lifecycle"]!["preStop"]!["exec"]);
    }

    [Fact]
    public void The_container_has_requests_and_limits_and_knows_its_pod()
    {
        var resources = Chart.Container["resources"]!;
        foreach (var key in new[] { "cpu", "memory" })
        {
            Assert.NotNull(resources["requests"]![key]);
            Assert.NotNull(resources["limits"]![key]);
        }

        var env = Items(Chart.Container["env"]).ToDictionary(e => Text(e["name"])!, e => Text(e["valueFrom"]?["fieldRef"]?["fieldPath"]));
        Assert.Equal("metadata.name", env["POD_NAME"]);
        Assert.Equal("metadata.namespace", env["POD_NAMESPACE"]);
    }

    [Fact]
    public void The_program_is_started_in_cluster_mode_with_the_names_of_the_release_objects()
    {
        Assert.Equal(Text(Chart.Single("Service")["metadata"]!["name"]), Chart.Arg("--service-name"));
        Assert.Equal("443", Chart.Arg("--service-port"));
        Assert.Equal(Ns, Chart.Arg("--namespace"));
        Assert.Equal(RenderedChart.Name(Chart.Single("ValidatingWebhookConfiguration")), Chart.Arg("--webhook-config-name"));
        Assert.Equal(RenderedChart.Name(Chart.Single("MutatingWebhookConfiguration")), Chart.Arg("--webhook-config-name"));
        Assert.Equal("30", Chart.Arg("--webhook-timeout"));
        Assert.Equal("Fail", Chart.Arg("--failure-policy"));
        Assert.Equal("7.00:00:00", Chart.Arg("--retention"));
        Assert.Equal("true", Chart.Arg("--leader-elect"));
        Assert.Equal(RenderedChart.Name(Chart.Single("Lease")), Chart.Arg("--LeaderElection:LeaseName"));
        Assert.Equal("Secret", Chart.Arg("--cert-mode"));
        Assert.Equal(RenderedChart.Name(Chart.Single("Secret")), Chart.Arg("--cert-secret"));
        Assert.Equal("http://0.0.0.0:9090", Chart.Arg("--metrics-listen"));
        Assert.Equal("Information", Chart.Arg("--Logging:LogLevel:Default"));
        Assert.Null(Chart.Arg("--webhook-url"));
        Assert.Null(Chart.Arg("--kubeconfig"));
        Assert.DoesNotContain(Chart.Args, a => a.StartsWith("--tls-", StringComparison.Ordinal));
        Assert.Equal("ghcr.io/jitadmission/jit-admission:0.1.0", Text(Chart.Container["image"]));
    }

    [Fact]
    public void Two_replicas_spread_over_nodes_and_zones_and_a_budget_keeps_one()
    {
        var spec = Chart.Deployment["spec"]!;
        Assert.Equal(2, Number(spec["replicas"]));
        Assert.Equal(0, Number(spec["strategy"]!["rollingUpdate"]!["maxUnavailable"]));
        var podLabels = spec["template"]!["metadata"]!["labels"]!.AsObject();

        var constraints = Items(Chart.PodSpec["topologySpreadConstraints"]).ToList();
        Assert.Equal(["kubernetes.io/hostname", "topology.kubernetes.io/zone"], constraints.Select(c => Text(c["topologyKey"])));
        Assert.All(constraints, c =>
        {
            Assert.Equal(1, Number(c["maxSkew"]));
            Assert.Equal("ScheduleAnyway", Text(c["whenUnsatisfiable"]));
            AssertSelects(c["labelSelector"]!["matchLabels"]!.AsObject(), podLabels);
        });

        var pdb = Chart.Single("PodDisruptionBudget")["spec"]!;
        Assert.Equal(1, Number(pdb["minAvailable"]));
        Assert.Null(pdb["maxUnavailable"]);
        AssertSelects(pdb["selector"]!["matchLabels"]!.AsObject(), podLabels);
        AssertSelects(Chart.Single("Service")["spec"]!["selector"]!.AsObject(), podLabels);
        Assert.Null(Chart.PodSpec["priorityClassName"]);
    }

    [Fact]
    public void The_Service_forwards_443_to_the_webhook_port_and_exposes_metrics()
    {
        var ports = Items(Chart.Single("Service")["spec"]!["ports"]).ToDictionary(p => Text(p["name"])!);
        Assert.Equal(443, Number(ports["https"]["port"]));
        Assert.Equal("https", Text(ports["https"]["targetPort"]));
        Assert.Equal(9090, Number(ports["metrics"]["port"]));
        Assert.Equal(9090, Number(Items(Chart.Container["ports"]).Single(p => Text(p["name"]) == "metrics")["containerPort"]));
    }

    [Fact]
    public void The_certificate_Secret_and_the_Lease_start_empty_and_released()
    {
        var secret = Chart.Single("Secret");
        Assert.Equal("kubernetes.io/tls", Text(secret["type"]));
        Assert.Equal(["tls.crt", "tls.key"], secret["data"]!.AsObject().Select(kv => kv.Key).Order(StringComparer.Ordinal));
        Assert.All(secret["data"]!.AsObject(), kv => Assert.Equal("", Text(kv.Value)));

        var lease = Chart.Single("Lease")["spec"]!;
        Assert.Equal("", Text(lease["holderIdentity"]));
        Assert.NotNull(Text(lease["acquireTime"]));
        Assert.NotNull(Text(lease["renewTime"]));
        Assert.Equal(1, Number(lease["leaseDurationSeconds"]));
    }

    private static void AssertSelects(JsonObject selector, JsonObject labels)
    {
        Assert.NotEmpty(selector);
        foreach (var (key, value) in selector) Assert.Equal(Text(value), Text(labels[key]));
    }
}
