namespace JitAdmission.Webhook;

/// <summary>Transport settings, bound from the configuration section <c>Webhook</c>.</summary>
public sealed class WebhookOptions
{
    public const string SectionName = "Webhook";

    /// <summary>
    /// HTTPS listen address: <c>https://0.0.0.0:8443</c> in a cluster, <c>https://127.0.0.1:8443</c> out of
    /// cluster; <c>*</c> or <c>[::]</c> for every interface; port 0 picks a free port (tests).
    /// </summary>
    public string ListenUrl { get; set; } = "https://0.0.0.0:8443";

    /// <summary>
    /// Largest AdmissionReview accepted. An UPDATE carries the object and the old object, each up to the API
    /// server's 3 MiB request limit, plus the request envelope: 7 MiB, as controller-runtime allows.
    /// </summary>
    public long MaxRequestBodyBytes { get; set; } = 7 * 1024 * 1024;

    /// <summary>Longest a handler may take before the transport answers fail-closed.</summary>
    public TimeSpan HandlerTimeout { get; set; } = TimeSpan.FromSeconds(28);

    /// <summary>
    /// Kept free before the API server's own deadline (its <c>?timeout=</c> query parameter), so our fail-closed
    /// answer, with its reason, arrives before the API server gives up with a generic error.
    /// </summary>
    public TimeSpan TimeoutMargin { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Deepest nesting of objects and arrays accepted in a review.</summary>
    public int MaxJsonDepth { get; set; } = Review.AdmissionReviewReader.DefaultMaxDepth;

    /// <summary>
    /// Optional plain-HTTP listener for <c>/metrics</c> (and the probes), e.g. <c>http://0.0.0.0:9090</c>, with an
    /// explicit port. Unset: <c>/metrics</c> is served on the HTTPS listener.
    /// </summary>
    public string? MetricsListenUrl { get; set; }

    /// <summary>
    /// PEM file of the CA that signs the API server's client certificate for webhooks (its
    /// <c>AdmissionConfiguration</c> kubeconfig). Set: the admission paths require a client certificate that chains to
    /// it (401 without, 403 for a subject not in <see cref="ClientSubjects"/>), and every field of a review is believed
    /// (a break-glass annotation may create its record). Unset: any caller can reach them (docs/threat-model.md).
    /// </summary>
    public string? ClientCaFile { get; set; }

    /// <summary>With <see cref="ClientCaFile"/>: the certificate subjects (CN) allowed; empty allows any it signed.</summary>
    public List<string> ClientSubjects { get; set; } = [];
}
