namespace JitAdmission.Cli.Kube;

/// <summary>The cluster and namespace a command talks to.</summary>
internal sealed record KubeTarget(KubernetesClientConfiguration Configuration, string Namespace, bool NamespaceGiven, Impersonation? Impersonation);
