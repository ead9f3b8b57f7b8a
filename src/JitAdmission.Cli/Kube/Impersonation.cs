namespace JitAdmission.Cli.Kube;

/// <summary>Whom to act as (kubectl's --as/--as-group/--as-uid, or as/as-groups/as-user-extra in the kubeconfig user).</summary>
internal sealed record Impersonation(string User, IReadOnlyList<string> Groups, string? Uid, IReadOnlyDictionary<string, IReadOnlyList<string>> Extra);
