using JitAdmission.Core.Text;
using System.Text.Json.Nodes;
using JitAdmission.Integration.Tests.Crds;
using JitAdmission.Integration.Tests.Infrastructure;

namespace JitAdmission.Integration.Tests.Chart;

/// <summary>The chart, the files rendered from it, and the real helm 4 binary (the same one the sandbox fixture uses).</summary>
internal static class ChartTools
{
    public const string DefaultRelease = "jit-admission";
    public const string DefaultNamespace = "jit-admission";

    public static string RepoRoot => KubeSandbox.RepoRoot();

    public static string ChartDirectory => Path.Combine(RepoRoot, "charts", "jit-admission");

    public static string ManifestsDirectory => Path.Combine(RepoRoot, "deploy", "manifests");

    /// <summary>deploy/monitoring: the Grafana dashboard and the PrometheusRule, as people apply them without the chart.</summary>
    public static string MonitoringDirectory => Path.Combine(RepoRoot, "deploy", "monitoring");

    /// <summary>The chart's copies of <see cref="MonitoringDirectory"/>'s files (a chart cannot read outside its directory).</summary>
    public static string ChartFilesDirectory => Path.Combine(ChartDirectory, "files");

    public static async Task<string> HelmAsync() => (await ToolPaths.GetAsync(SandboxHome())).Helm;

    /// <summary>Runs helm with the values given as YAML on stdin (<c>-f -</c>) when <paramref name="values"/> is set.</summary>
    public static async Task<CommandResult> RunHelmAsync(IEnumerable<string> args, string? values = null, string? kubeconfig = null)
    {
        var all = new List<string>(args);
        if (values is not null) all.AddRange(["-f", "-"]);
        if (kubeconfig is not null) all.AddRange(["--kubeconfig", kubeconfig]);
        return await ProcessRunner.RunAsync(await HelmAsync(), all, values is null ? null : values + "\n", timeout: TimeSpan.FromSeconds(90));
    }

    /// <summary><c>helm template</c> without cluster access; throws with helm's output when rendering fails.</summary>
    public static async Task<RenderedChart> TemplateAsync(string? values = null, string release = DefaultRelease, string @namespace = DefaultNamespace)
    {
        var result = await TryTemplateAsync(values, release, @namespace);
        if (!result.Succeeded) throw new InvalidOperationException($"helm template failed: {result}");
        return RenderedChart.Parse(result.Stdout);
    }

    public static Task<CommandResult> TryTemplateAsync(string? values = null, string release = DefaultRelease, string @namespace = DefaultNamespace) =>
        RunHelmAsync(["template", release, ChartDirectory, "--namespace", @namespace], values);

    /// <summary>Every YAML document of a multi-document text, as JSON (comments and empty documents dropped).</summary>
    public static IReadOnlyList<JsonObject> ParseObjects(string yaml) =>
        YamlToJson.ParseDocuments(yaml).OfType<JsonObject>().ToList();

    private static string SandboxHome()
    {
        var home = Environment.GetEnvironmentVariable("KUBE_SANDBOX_HOME");
        return string.IsNullOrEmpty(home) ? Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared", "kube-sandbox")) : home;
    }
}
