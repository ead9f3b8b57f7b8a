using k8s.Exceptions;
using k8s.KubeConfigModels;

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
            return new KubeTarget(client, ns, settings.Namespace is { Length: > 0 }, Impersonating(settings, config, context));
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

    /// <summary>--as and friends win over the kubeconfig user's as/as-groups/as-user-extra, as in kubectl.</summary>
    private static Impersonation? Impersonating(ConnectionSettings settings, K8SConfiguration config, string context)
    {
        if (settings.As is not { Length: > 0 } && (settings.AsGroups.Count > 0 || settings.AsUid is { Length: > 0 }))
            throw new CliException("--as-group and --as-uid need --as (the user to impersonate)", ExitCodes.Usage);
        Impersonation? impersonation = null;
        if (settings.As is { Length: > 0 } user)
        {
            impersonation = new Impersonation(user, settings.AsGroups, settings.AsUid, new Dictionary<string, IReadOnlyList<string>>());
        }
        else
        {
            var userName = config.Contexts?.FirstOrDefault(c => c.Name == context)?.ContextDetails?.User;
            var credentials = config.Users?.FirstOrDefault(u => u.Name == userName)?.UserCredentials;
            if (credentials?.Impersonate is not { Length: > 0 } impersonate) return null;
            var extra = (credentials.ImpersonateUserExtra ?? [])
                .ToDictionary(kv => kv.Key, kv => (IReadOnlyList<string>)[kv.Value], StringComparer.Ordinal);
            impersonation = new Impersonation(impersonate, [.. credentials.ImpersonateGroups ?? []], null, extra);
        }

        // .NET's HTTP client sends a repeated header as one comma-joined line, which the API server would read as a
        // single group "a, b": refuse rather than act with the wrong groups.
        if (impersonation.Groups.Count > 1)
            throw new CliException($"kubectl jit can impersonate at most one group, not {string.Join(", ", impersonation.Groups)}: "
                + "its HTTP client cannot repeat the Impersonate-Group header");
        return impersonation;
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
