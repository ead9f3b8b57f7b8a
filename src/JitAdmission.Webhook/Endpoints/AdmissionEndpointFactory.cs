namespace JitAdmission.Webhook.Endpoints;

/// <summary>
/// Builds the <see cref="AdmissionEndpoint"/> of each admission path: the path, its handler and its kind come from the
/// map; the settings, client authentication, metrics, clock and log they share come from the container.
/// </summary>
internal sealed class AdmissionEndpointFactory(
    IOptions<WebhookOptions> options, ClientAuthentication clients, AdmissionMetrics metrics, TimeProvider time, ILoggerFactory loggers)
{
    private readonly ILogger _logger = loggers.CreateLogger("JitAdmission.Webhook.Admission");

    public AdmissionEndpoint Create(string path, IAdmissionHandler handler, AdmissionEndpointKind kind) =>
        new(path, handler, kind, options.Value, clients, metrics, time, _logger);
}
