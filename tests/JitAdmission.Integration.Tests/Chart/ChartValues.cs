namespace JitAdmission.Integration.Tests.Chart;

/// <summary>Value sets the tests render, lint and install with, besides the defaults.</summary>
internal static class ChartValues
{
    public const string Digest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    /// <summary>Everything optional on, and most settings away from their defaults.</summary>
    public const string Production = $$"""
        replicaCount: 3
        image:
          digest: "{{Digest}}"
        webhook:
          timeoutSeconds: 15
          failurePolicy: Ignore
          excludedNamespaces: [monitoring, cert-manager]
        operator:
          retention: "30"
        logging:
          level: Debug
        priorityClassName: system-cluster-critical
        certManager:
          enabled: true
        metrics:
          port: 9100
          serviceMonitor:
            enabled: true
            labels:
              release: prometheus
          prometheusRule:
            enabled: true
            labels:
              release: prometheus
          grafanaDashboard:
            enabled: true
            annotations:
              grafana_folder: Security
        networkPolicy:
          enabled: true
          metricsFrom:
            - namespaceSelector:
                matchLabels:
                  kubernetes.io/metadata.name: monitoring
        podDisruptionBudget:
          minAvailable: 2
        preStopSleepSeconds: 10
        commonLabels:
          team: platform
        extraArgs: ["--Webhook:MaxJsonDepth", "64"]
        extraEnv:
          - name: DOTNET_gcServer
            value: "0"
        """;

    /// <summary>One replica without leader election, metrics, runtime objects or preStop hook.</summary>
    public const string Minimal = """
        replicaCount: 1
        leaderElection:
          enabled: false
        metrics:
          enabled: false
        runtimeObjects:
          create: false
        preStopSleepSeconds: 0
        """;

    /// <summary>cert-manager with an existing ClusterIssuer, another name, an existing service account.</summary>
    public const string ExistingIssuerAndNames = """
        fullnameOverride: jit
        serviceAccount:
          create: false
          name: platform-jit
        certManager:
          enabled: true
          issuerRef:
            name: corporate-ca
            kind: ClusterIssuer
        service:
          port: 8443
        terminationGracePeriodSeconds: 120
        topologySpreadConstraints:
          - maxSkew: 1
            topologyKey: kubernetes.io/hostname
            whenUnsatisfiable: DoNotSchedule
        """;
}
