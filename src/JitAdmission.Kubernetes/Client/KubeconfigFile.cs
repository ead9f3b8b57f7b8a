using k8s.Exceptions;
using k8s.KubeConfigModels;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace JitAdmission.Kubernetes.Client;

/// <summary>
/// Reads a kubeconfig from its YAML tree. KubernetesClient's own loader goes through <c>KubernetesYaml</c>, whose
/// start-up reflects over every model type: it fails in a Native AOT build and keeps that metadata alive otherwise.
/// Covers what client-go reads for a connection: clusters (server, CA file or data, TLS name, skip-verify), users
/// (client certificate and key as file or data, token or token file, basic auth, exec and auth-provider plugins,
/// impersonation) and contexts. Relative file paths are taken from the kubeconfig's directory, as kubectl does.
/// </summary>
public static class KubeconfigFile
{
    public static K8SConfiguration Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var full = Path.GetFullPath(path);
        if (!File.Exists(full)) throw new KubeConfigException($"kubeconfig file not found: {full}");
        var stream = new YamlStream();
        try
        {
            using var reader = new StreamReader(full);
            stream.Load(reader);
        }
        catch (YamlException e)
        {
            throw new KubeConfigException($"{full} is not valid YAML: {e.Message}");
        }

        var root = stream.Documents.Count > 0 ? stream.Documents[0].RootNode as YamlMappingNode : null;
        if (root is null) throw new KubeConfigException($"{full} holds no kubeconfig");
        var sections = new Sections(Path.GetDirectoryName(full)!);
        return new K8SConfiguration
        {
            ApiVersion = Text(root, "apiVersion"),
            Kind = Text(root, "kind"),
            CurrentContext = Text(root, "current-context"),
            Clusters = Named(root, "clusters", "cluster", (name, c) => new Cluster { Name = name, ClusterEndpoint = sections.Endpoint(c) }),
            Users = Named(root, "users", "user", (name, u) => new User { Name = name, UserCredentials = sections.Credentials(u) }),
            Contexts = Named(root, "contexts", "context", (name, c) => new Context { Name = name, ContextDetails = Sections.Details(c) }),
        };
    }

    /// <summary>The body of each named entry. Relative file paths are taken from the kubeconfig's directory.</summary>
    private sealed class Sections(string directory)
    {
        public ClusterEndpoint Endpoint(YamlMappingNode c) => new()
        {
            Server = Text(c, "server"),
            CertificateAuthority = PathOf(c, "certificate-authority"),
            CertificateAuthorityData = Text(c, "certificate-authority-data"),
            TlsServerName = Text(c, "tls-server-name"),
            SkipTlsVerify = Flag(c, "insecure-skip-tls-verify"),
        };

        public UserCredentials Credentials(YamlMappingNode u) => new()
        {
            ClientCertificate = PathOf(u, "client-certificate"),
            ClientCertificateData = Text(u, "client-certificate-data"),
            ClientKey = PathOf(u, "client-key"),
            ClientKeyData = Text(u, "client-key-data"),
            Token = Text(u, "token") ?? (PathOf(u, "tokenFile") is { } tokenFile ? File.ReadAllText(tokenFile).Trim() : null),
            UserName = Text(u, "username"),
            Password = Text(u, "password"),
            Impersonate = Text(u, "as"),
            ImpersonateGroups = Strings(u, "as-groups"),
            ImpersonateUserExtra = Map(u, "as-user-extra"),
            AuthProvider = Child(u, "auth-provider") is { } a ? new AuthProvider { Name = Text(a, "name"), Config = Map(a, "config") } : null,
            ExternalExecution = Child(u, "exec") is { } e ? Exec(e) : null,
        };

        public static ContextDetails Details(YamlMappingNode c) => new() { Cluster = Text(c, "cluster"), User = Text(c, "user"), Namespace = Text(c, "namespace") };

        private string? PathOf(YamlMappingNode node, string key) => Text(node, key) is { Length: > 0 } p ? Path.Combine(directory, p) : null;
    }

    private static ExternalExecution Exec(YamlMappingNode e) => new()
    {
        ApiVersion = Text(e, "apiVersion"),
        Command = Text(e, "command"),
        Arguments = Strings(e, "args")?.ToList(),
        EnvironmentVariables = Child<YamlSequenceNode>(e, "env")?.Children.OfType<YamlMappingNode>()
            .Select(v => new Dictionary<string, string> { ["name"] = Text(v, "name") ?? "", ["value"] = Text(v, "value") ?? "" })
            .ToList(),
        InstallHint = Text(e, "installHint"),
        ProvideClusterInfo = Flag(e, "provideClusterInfo"),
    };

    // Entries are {name: N, <key>: {...}}; an entry without its body gets an empty one, as kubectl treats it.
    private static List<T> Named<T>(YamlMappingNode root, string list, string key, Func<string, YamlMappingNode, T> build) =>
        [.. (Child<YamlSequenceNode>(root, list)?.Children ?? []).OfType<YamlMappingNode>()
            .Select(entry => build(Text(entry, "name") ?? "", Child(entry, key) ?? new YamlMappingNode()))];

    private static YamlMappingNode? Child(YamlMappingNode node, string key) => Child<YamlMappingNode>(node, key);

    private static T? Child<T>(YamlMappingNode node, string key) where T : YamlNode =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value as T : null;

    // YAML null (~, null, empty) reads as absent.
    private static string? Text(YamlMappingNode node, string key) =>
        Child<YamlScalarNode>(node, key) is { } s && !(s.Style == ScalarStyle.Plain && s.Value is null or "" or "~" or "null") ? s.Value : null;

    private static bool Flag(YamlMappingNode node, string key) => Text(node, key) switch
    {
        null => false,
        var text when bool.TryParse(text, out var value) => value,
        var text => throw new KubeConfigException($"{key}: \"{text}\" is not true or false"),
    };

    private static string[]? Strings(YamlMappingNode node, string key) =>
        Child<YamlSequenceNode>(node, key)?.Children.OfType<YamlScalarNode>().Select(s => s.Value ?? "").ToArray();

    private static Dictionary<string, string>? Map(YamlMappingNode node, string key) =>
        Child(node, key)?.Children.Where(p => p.Key is YamlScalarNode && p.Value is YamlScalarNode)
            .ToDictionary(p => ((YamlScalarNode)p.Key).Value ?? "", p => ((YamlScalarNode)p.Value).Value ?? "", StringComparer.Ordinal);
}
