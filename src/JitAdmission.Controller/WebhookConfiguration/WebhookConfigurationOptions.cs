namespace JitAdmission.Controller.WebhookConfiguration;

/// <summary>How the API server reaches the webhook, bound from the configuration section <c>Webhook</c>
/// (docs/configuration.md); the transport binds its own settings from the same section.</summary>
public sealed class WebhookConfigurationOptions
{
    public const string SectionName = "Webhook";

    /// <summary>Out of cluster: the base URL the API server calls (<c>https://127.0.0.1:8443</c>); paths are appended.</summary>
    public string? Url { get; set; }

    /// <summary>In cluster: the Service in front of the pods, in the operator namespace.</summary>
    public string? ServiceName { get; set; }

    public int ServicePort { get; set; } = 443;

    /// <summary><c>timeoutSeconds</c> of the gate webhook (1–30); holds end before it.</summary>
    public int TimeoutSeconds { get; set; } = 30;

    /// <summary>Failure policy of the gate webhook: <c>Fail</c> (fail closed) or <c>Ignore</c>. The guard and stamp always fail closed.</summary>
    public string FailurePolicy { get; set; } = "Fail";

    /// <summary>Name of the Validating- and MutatingWebhookConfiguration.</summary>
    public string ConfigurationName { get; set; } = "jit-admission";
}
