namespace JitAdmission.Integration.Tests.Chart;

/// <summary>helm lint --strict, values.schema.json and the chart's own checks, with the real helm binary.</summary>
public sealed class ChartValidationTests
{
    public static TheoryData<string, string?> ValueSets => new()
    {
        { "default", null },
        { "production", ChartValues.Production },
        { "minimal", ChartValues.Minimal },
        { "existing issuer and names", ChartValues.ExistingIssuerAndNames },
    };

    [Theory]
    [MemberData(nameof(ValueSets))]
    public async Task Helm_lint_strict_passes(string name, string? values)
    {
        var lint = await ChartTools.RunHelmAsync(["lint", "--strict", ChartTools.ChartDirectory], values);

        Assert.True(lint.Succeeded, $"{name}: {lint}");
        Assert.Contains("0 chart(s) failed", lint.Stdout);
        Assert.DoesNotContain("[WARNING]", lint.Stdout);
        Assert.DoesNotContain("[ERROR]", lint.Stdout);
    }

    [Fact]
    public async Task Lint_fails_for_values_the_schema_rejects()
    {
        // Proves the lint runs above would notice: the same command with one bad value.
        var lint = await ChartTools.RunHelmAsync(["lint", "--strict", ChartTools.ChartDirectory], "webhook: {failurePolicy: Maybe}");

        Assert.False(lint.Succeeded);
        Assert.Contains("failurePolicy", lint.Output);
    }

    [Fact]
    public async Task NOTES_tell_the_admin_what_to_do_next_and_how_to_remove_everything()
    {
        var install = await ChartTools.RunHelmAsync(["install", "jit-admission", ChartTools.ChartDirectory, "--namespace", "jit-admission", "--dry-run=client"]);
        Assert.True(install.Succeeded, install.ToString());
        var notes = install.Stdout[install.Stdout.IndexOf("NOTES:", StringComparison.Ordinal)..];

        Assert.Contains("kubectl -n jit-admission rollout status deployment/jit-admission", notes);
        Assert.Contains("kubectl apply -f deploy/examples/", notes);
        Assert.Contains("kubectl get apol", notes);
        Assert.Contains("deploy/rbac/", notes);
        Assert.Contains("helm uninstall jit-admission -n jit-admission", notes);
        Assert.Contains("kubectl delete crd approvalpolicies.jitadmission.io approvalrequests.jitadmission.io", notes);
        Assert.DoesNotContain("WARNING", notes);
    }

    [Fact]
    public async Task NOTES_warn_about_a_single_replica_and_a_webhook_that_fails_open()
    {
        var install = await ChartTools.RunHelmAsync(
            ["install", "jit-admission", ChartTools.ChartDirectory, "--namespace", "jit-admission", "--dry-run=client"],
            ChartValues.Minimal + "\nwebhook: {failurePolicy: Ignore}");
        Assert.True(install.Succeeded, install.ToString());

        Assert.Contains("WARNING: a single replica", install.Stdout);
        Assert.Contains("WARNING: webhook.failurePolicy=Ignore", install.Stdout);
        // runtimeObjects.create=false: the program's own Secret survives an uninstall, and the notes say how to delete it.
        Assert.Contains("delete secret/jit-admission-tls", install.Stdout);
    }

    [Theory]
    [InlineData("replicaCount: 0", "/replicaCount")]
    [InlineData("replicaCount: two", "/replicaCount")]
    [InlineData("webhook: {timeoutSeconds: 31}", "/webhook/timeoutSeconds")]
    [InlineData("webhook: {timeoutSeconds: 0}", "/webhook/timeoutSeconds")]
    [InlineData("webhook: {failurePolicy: fail}", "/webhook/failurePolicy")]
    [InlineData("webhook: {excludedNamespaces: [Kube_System]}", "/webhook/excludedNamespaces/0")]
    [InlineData("webhook: {timeout: 10}", "timeout")]
    [InlineData("logging: {level: Verbose}", "/logging/level")]
    [InlineData("logging: {format: json}", "format")]
    [InlineData("image: {pullPolicy: Sometimes}", "/image/pullPolicy")]
    [InlineData("image: {digest: latest}", "/image/digest")]
    [InlineData("operator: {retention: 7d}", "/operator/retention")]
    [InlineData("leaderElection: {enabled: \"yes\"}", "/leaderElection/enabled")]
    [InlineData("certManager: {issuerRef: {kind: Vault}}", "/certManager/issuerRef")]
    [InlineData("certManager: {duration: 90 days}", "/certManager/duration")]
    [InlineData("metrics: {port: 8443}", "/metrics/port")]
    [InlineData("metrics: {port: 70000}", "/metrics/port")]
    [InlineData("metrics: {prometheusRule: {namespace: Monitoring}}", "/metrics/prometheusRule/namespace")]
    [InlineData("metrics: {prometheusRule: {rules: []}}", "rules")]
    [InlineData("metrics: {grafanaDashboard: {labels: {grafana_dashboard: 1}}}", "/metrics/grafanaDashboard/labels/grafana_dashboard")]
    [InlineData("metrics: {grafanaDashboard: {annotations: []}}", "/metrics/grafanaDashboard/annotations")]
    [InlineData("service: {port: \"443\"}", "/service/port")]
    [InlineData("podDisruptionBudget: {minAvailable: 0}", "/podDisruptionBudget/minAvailable")]
    [InlineData("preStopSleepSeconds: -1", "/preStopSleepSeconds")]
    [InlineData("resources: {requests: {cpu: lots}}", "/resources/requests/cpu")]
    [InlineData("topologySpreadConstraints: [{maxSkew: 1, topologyKey: zone, whenUnsatisfiable: Sometimes}]", "/topologySpreadConstraints/0/whenUnsatisfiable")]
    [InlineData("fullnameOverride: Not_A_Name", "/fullnameOverride")]
    [InlineData("unknownKey: true", "unknownKey")]
    public async Task The_schema_rejects_bad_values_and_names_the_key(string values, string key)
    {
        var result = await ChartTools.TryTemplateAsync(values);

        Assert.False(result.Succeeded, $"rendered with {values}");
        Assert.Contains("schema", result.Stderr);
        Assert.Contains(key, result.Stderr);
    }

    [Theory]
    [InlineData("leaderElection: {enabled: false}", "leaderElection.enabled=false needs replicaCount=1")]
    [InlineData("replicaCount: 2\npodDisruptionBudget: {minAvailable: 2}", "must be below replicaCount")]
    [InlineData("terminationGracePeriodSeconds: 20", "terminationGracePeriodSeconds (20) must be at least")]
    [InlineData("metrics: {enabled: false, serviceMonitor: {enabled: true}}", "metrics.serviceMonitor.enabled needs metrics.enabled")]
    [InlineData("serviceAccount: {create: false}", "serviceAccount.name is required")]
    public async Task The_chart_refuses_combinations_that_would_break_the_webhook(string values, string message)
    {
        var result = await ChartTools.TryTemplateAsync(values);

        Assert.False(result.Succeeded, $"rendered with {values}");
        Assert.Contains(message, result.Stderr);
    }

    [Theory]
    [InlineData("webhook: {timeoutSeconds: 1}")]
    [InlineData("webhook: {timeoutSeconds: 30, failurePolicy: Ignore}")]
    [InlineData("operator: {retention: \"12:00:00\"}")]
    [InlineData("operator: {retention: \"1.12:30:00\"}")]
    [InlineData("certManager: {enabled: true, issuerRef: {name: ca, kind: ClusterIssuer}, duration: 720h, renewBefore: 240h30m}")]
    [InlineData("resources: {requests: {cpu: 0.5, memory: 1Gi}, limits: {memory: 2Gi}}")]
    [InlineData("updateStrategy: {type: RollingUpdate, rollingUpdate: {maxUnavailable: 25%, maxSurge: 1}}")]
    [InlineData("global: {imageRegistry: example.com}")]
    [InlineData("terminationGracePeriodSeconds: 40")]
    [InlineData("metrics: {prometheusRule: {enabled: true, namespace: monitoring, labels: {release: prometheus}}}")]
    [InlineData("metrics: {enabled: false, grafanaDashboard: {enabled: true, labels: {}, namespace: grafana}}")]
    public async Task The_schema_accepts_valid_non_default_values(string values)
    {
        var result = await ChartTools.TryTemplateAsync(values);

        Assert.True(result.Succeeded, result.ToString());
    }
}
