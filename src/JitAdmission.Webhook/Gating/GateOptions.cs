namespace JitAdmission.Webhook.Gating;

/// <summary>How the gate treats callers, bound from the configuration section <c>Gate</c> (docs/configuration.md).</summary>
public sealed class GateOptions
{
    public const string SectionName = "Gate";

    /// <summary>Users never gated; null keeps the default (the control plane and its named controllers, <see cref="TrustedSubjects.Kubernetes"/>).</summary>
    public List<string>? TrustedUsers { get; set; }

    /// <summary>Groups never gated; null keeps the default (<c>system:nodes</c>).</summary>
    public List<string>? TrustedGroups { get; set; }

    /// <summary>Pending requests one requester may have at once; 0 for no limit. Break-glass is never refused for it.</summary>
    public int MaxPendingPerRequester { get; set; } = GateSettings.DefaultMaxPendingPerRequester;
}
