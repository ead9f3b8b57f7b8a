using System.Text.Json.Nodes;
using JitAdmission.Integration.Tests.Infrastructure;
using static JitAdmission.Integration.Tests.Chart.RenderedChart;

namespace JitAdmission.Integration.Tests.Chart;

/// <summary>helm releases and kubectl look-ups against a sandbox API server.</summary>
internal static class ClusterTools
{
    /// <summary>
    /// Stand-ins for the cert-manager and Prometheus Operator CRDs (the sandbox has neither), so that a release with
    /// every option on can be stored. They accept any spec: the real controllers are not there to act on it anyway.
    /// </summary>
    private static readonly (string Group, string Kind, string Plural)[] StandIns =
    [
        ("cert-manager.io", "Issuer", "issuers"),
        ("cert-manager.io", "Certificate", "certificates"),
        ("monitoring.coreos.com", "ServiceMonitor", "servicemonitors"),
        ("monitoring.coreos.com", "PrometheusRule", "prometheusrules"),
    ];

    private static string StandInCrd((string Group, string Kind, string Plural) crd) => $$$"""
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata: {name: {{{crd.Plural}}}.{{{crd.Group}}}}
        spec:
          group: {{{crd.Group}}}
          scope: Namespaced
          names: {kind: {{{crd.Kind}}}, plural: {{{crd.Plural}}}, singular: {{{crd.Kind.ToLowerInvariant()}}}, listKind: {{{crd.Kind}}}List}
          versions:
            - name: v1
              served: true
              storage: true
              schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
        """;

    public static async Task InstallStandInCrdsAsync(KubeSandbox sandbox)
    {
        await sandbox.ApplyAsync(string.Join("\n---\n", StandIns.Select(StandInCrd)));
        var wait = await sandbox.AdminKubectlAsync(
            ["wait", "--for=condition=Established", "--timeout=30s", .. StandIns.Select(c => $"crd/{c.Plural}.{c.Group}")]);
        if (!wait.Succeeded) throw new InvalidOperationException(wait.ToString());
    }

    public static async Task<CommandResult> HelmAsync(KubeSandbox sandbox, string? values, params string[] args) =>
        await ChartTools.RunHelmAsync(args, values, sandbox.AdminKubeconfig);

    public static async Task InstallAsync(KubeSandbox sandbox, string release, string @namespace, string? values = null, params string[] extra)
    {
        var install = await HelmAsync(sandbox, values, ["install", release, ChartTools.ChartDirectory, "--namespace", @namespace, "--create-namespace", .. extra]);
        Assert.True(install.Succeeded, install.ToString());
        Assert.Contains("STATUS: deployed", install.Stdout);
    }

    public static async Task UninstallAsync(KubeSandbox sandbox, string release, string @namespace)
    {
        var uninstall = await HelmAsync(sandbox, null, "uninstall", release, "--namespace", @namespace);
        Assert.True(uninstall.Succeeded, uninstall.ToString());
    }

    /// <summary>The objects Helm recorded for the release (`helm get manifest`).</summary>
    public static async Task<RenderedChart> ManifestAsync(KubeSandbox sandbox, string release, string @namespace)
    {
        var manifest = await HelmAsync(sandbox, null, "get", "manifest", release, "--namespace", @namespace);
        Assert.True(manifest.Succeeded, manifest.ToString());
        return RenderedChart.Parse(manifest.Stdout);
    }

    /// <summary>KIND.GROUP/NAME as kubectl takes it.</summary>
    public static string Reference(JsonObject o)
    {
        var apiVersion = Text(o["apiVersion"])!;
        var kind = Text(o["kind"])!;
        var group = apiVersion.Contains('/', StringComparison.Ordinal) ? apiVersion[..apiVersion.IndexOf('/', StringComparison.Ordinal)] : "";
        return $"{kind}{(group.Length > 0 ? "." + group : "")}/{Name(o)}";
    }

    /// <summary>The live object, or null when the API server does not have it.</summary>
    public static async Task<JsonObject?> GetAsync(KubeSandbox sandbox, JsonObject o, string @namespace) =>
        await GetAsync(sandbox, Reference(o), Namespace(o) ?? @namespace);

    public static async Task<JsonObject?> GetAsync(KubeSandbox sandbox, string reference, string @namespace)
    {
        var get = await sandbox.AdminKubectlAsync("get", reference, "--namespace", @namespace, "--ignore-not-found", "--output", "json");
        Assert.True(get.Succeeded, get.ToString());
        return get.Stdout.Trim().Length == 0 ? null : JsonNode.Parse(get.Stdout)!.AsObject();
    }
}
