namespace JitAdmission.Core.Admission;

/// <summary>How this installation runs the gate (from the operator's options); the same for every call.</summary>
public sealed record GateSettings
{
    /// <summary>Where requests for cluster-scoped changes live, and where a Grant without a namespace must live to cover every namespace.</summary>
    public required string OperatorNamespace { get; init; }

    /// <summary>Identities never gated (the control plane's controllers).</summary>
    public TrustedSubjects Trusted { get; init; } = TrustedSubjects.Kubernetes;

    /// <summary>
    /// Whether the API server authenticates itself to the webhook (client certificates, --webhook-client-ca): then
    /// every field of an AdmissionReview can be believed, and a break-glass annotation may create its record.
    /// </summary>
    public bool CallerAuthenticated { get; init; }

    /// <summary>Pending requests one requester may have at once (0: no limit); break-glass is never refused for it.</summary>
    public int MaxPendingPerRequester { get; init; } = DefaultMaxPendingPerRequester;

    public const int DefaultMaxPendingPerRequester = 20;
}
