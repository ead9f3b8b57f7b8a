using JitAdmission.Cli.CommandLine;
using k8s;
using k8s.Exceptions;

namespace JitAdmission.Cli.Kube;

/// <summary>
/// Finds the kubeconfig the way kubectl does: --kubeconfig, else every existing file in $KUBECONFIG (merged, the first
/// file wins on conflicts), else ~/.kube/config; then --context or the current context, and -n or the context's namespace.
/// </summary>
internal static class KubeConfigLoader
{
    public static KubeTarget Load(ConnectionSettings settings, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var files = Files(settings.Kubeconfig, environment);
        try
        {
            var config = KubeConfigMerge.Load(files);
            var context = settings.Context is { Length: > 0 } c ? c : config.CurrentContext;
            if (string.IsNullOrEmpty(context))
                throw new CliException($"the kubeconfig ({string.Join(", ", files)}) has no current context: pass --context NAME");
            if (config.Contexts?.Any(x => x.Name == context) != true)
                throw new CliException($"context \"{context}\" is not in the kubeconfig ({string.Join(", ", files)})"
                    + $"; known contexts: {string.Join(", ", config.Contexts?.Select(x => x.Name) ?? [])}");

            var client = KubernetesClientConfiguration.BuildConfigFromConfigObject(config, context);
            var ns = settings.Namespace is { Length: > 0 } n ? n : client.Namespace is { Length: > 0 } cn ? cn : "default";
            return new KubeTarget(client, ns, settings.Namespace is { Length: > 0 });
        }
        catch (KubeConfigException e)
        {
            throw new CliException($"cannot use the kubeconfig ({string.Join(", ", files)}): {e.Message}", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or YamlDotNet.Core.YamlException)
        {
            throw new CliException($"cannot read the kubeconfig ({string.Join(", ", files)}): {e.Message}", e);
        }
    }

    private static List<string> Files(string? explicitPath, Func<string, string?> environment)
    {
        if (explicitPath is { Length: > 0 })
        {
            if (!File.Exists(explicitPath)) throw new CliException($"kubeconfig file \"{explicitPath}\" does not exist");
            return [explicitPath];
        }

        if (environment("KUBECONFIG") is { Length: > 0 } list)
        {
            var existing = list.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Where(File.Exists)
                .Distinct(StringComparer.Ordinal)
                .ToList();
            if (existing.Count == 0) throw new CliException($"none of the files in $KUBECONFIG exists ({list})");
            return existing;
        }

        var home = environment("HOME") is { Length: > 0 } h ? h : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        var path = Path.Combine(home, ".kube", "config");
        if (!File.Exists(path))
            throw new CliException($"no kubeconfig: {path} does not exist; pass --kubeconfig FILE or set $KUBECONFIG");
        return [path];
    }
}
