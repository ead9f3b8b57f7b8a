using k8s.KubeConfigModels;

namespace JitAdmission.Cli.Kube;

/// <summary>
/// Merges the files of $KUBECONFIG as kubectl does: the first file that sets current-context wins, and a context, cluster
/// or user defined in several files is taken from the first. File paths inside each file are made absolute relative to
/// that file, so that they keep working after the merge.
/// </summary>
internal static class KubeConfigMerge
{
    public static K8SConfiguration Load(IReadOnlyList<string> files)
    {
        ArgumentNullException.ThrowIfNull(files);
        K8SConfiguration? merged = null;
        var contexts = new List<Context>();
        var clusters = new List<Cluster>();
        var users = new List<User>();
        foreach (var file in files)
        {
            var config = KubernetesClientConfiguration.LoadKubeConfig(new FileInfo(file), useRelativePaths: false);
            var directory = Path.GetDirectoryName(Path.GetFullPath(file)) ?? "";
            merged ??= config;
            if (string.IsNullOrEmpty(merged.CurrentContext)) merged.CurrentContext = config.CurrentContext;
            AddNew(contexts, config.Contexts, c => c.Name);
            foreach (var cluster in config.Clusters ?? [])
            {
                if (cluster.ClusterEndpoint is { } endpoint) endpoint.CertificateAuthority = Absolute(directory, endpoint.CertificateAuthority);
                AddNew(clusters, [cluster], c => c.Name);
            }

            foreach (var user in config.Users ?? [])
            {
                if (user.UserCredentials is { } credentials)
                {
                    credentials.ClientCertificate = Absolute(directory, credentials.ClientCertificate);
                    credentials.ClientKey = Absolute(directory, credentials.ClientKey);
                }

                AddNew(users, [user], u => u.Name);
            }
        }

        if (merged is null) throw new ArgumentException("no kubeconfig files", nameof(files));
        merged.Contexts = contexts;
        merged.Clusters = clusters;
        merged.Users = users;
        return merged;
    }

    private static void AddNew<T>(List<T> into, IEnumerable<T>? items, Func<T, string> name)
    {
        foreach (var item in items ?? [])
            if (into.All(existing => name(existing) != name(item))) into.Add(item);
    }

    private static string Absolute(string directory, string path) =>
        string.IsNullOrEmpty(path) || Path.IsPathRooted(path) ? path : Path.GetFullPath(Path.Combine(directory, path));
}
