namespace JitAdmission.Kubernetes.Runtime;

/// <summary>Settings of the operator as a whole, bound from the configuration section <c>Operator</c>.</summary>
public sealed class OperatorOptions
{
    public const string SectionName = "Operator";

    /// <summary>
    /// Where the operator keeps its Lease, its certificate Secret and the ApprovalRequests for cluster-scoped
    /// objects. Empty: <c>$POD_NAMESPACE</c>, else the service-account namespace, else <c>jit-admission</c>.
    /// </summary>
    public string Namespace { get; set; } = "";

    /// <summary>Finished ApprovalRequests are deleted this long after they finished.</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>
    /// How long before a pending request expires, or an approval ends, the controller announces it as Expiring (Event
    /// and notifications, once per window). A window shorter than five times this is announced its last fifth before
    /// the end instead (a 15m approval: 3m before). Zero turns the announcement off.
    /// </summary>
    public TimeSpan ExpiringNotice { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Namespaces never gated, besides the operator's own (always excluded, so a policy can never lock jit-admission
    /// out of its own repair). None by default: kube-system is gated like any other namespace, and the controllers that
    /// run the cluster are trusted by identity instead (Gate:TrustedUsers, docs/threat-model.md).
    /// </summary>
    public List<string> ExcludedNamespaces { get; set; } = [];

    /// <summary>The namespace actually used: <see cref="Namespace"/> or the first default that exists.</summary>
    public string ResolveNamespace()
    {
        if (!string.IsNullOrWhiteSpace(Namespace)) return Namespace;
        var fromPod = Environment.GetEnvironmentVariable("POD_NAMESPACE");
        if (!string.IsNullOrWhiteSpace(fromPod)) return fromPod;
        const string serviceAccountNamespace = "/var/run/secrets/kubernetes.io/serviceaccount/namespace";
        if (File.Exists(serviceAccountNamespace))
        {
            var ns = File.ReadAllText(serviceAccountNamespace).Trim();
            if (ns.Length > 0) return ns;
        }

        return "jit-admission";
    }
}
