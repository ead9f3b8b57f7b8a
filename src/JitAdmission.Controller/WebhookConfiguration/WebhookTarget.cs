namespace JitAdmission.Controller.WebhookConfiguration;

/// <summary>Where the API server sends admission reviews and which CA it trusts: a URL out of cluster, the Service in
/// cluster.</summary>
public sealed record WebhookTarget(string? Url, string? ServiceName, string ServiceNamespace, int ServicePort, byte[] CaBundle)
{
    public static WebhookTarget From(WebhookConfigurationOptions options, string operatorNamespace, string caBundlePem)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new WebhookTarget(
            string.IsNullOrWhiteSpace(options.Url) ? null : options.Url.TrimEnd('/'),
            string.IsNullOrWhiteSpace(options.ServiceName) ? null : options.ServiceName,
            operatorNamespace,
            options.ServicePort,
            System.Text.Encoding.UTF8.GetBytes(caBundlePem));
    }

    /// <summary>The client configuration for one path; a URL wins when both are set (running outside the cluster).</summary>
    public Admissionregistrationv1WebhookClientConfig For(string path) => Url is not null
        ? new Admissionregistrationv1WebhookClientConfig { Url = Url + path, CaBundle = CaBundle }
        : new Admissionregistrationv1WebhookClientConfig
        {
            Service = new Admissionregistrationv1ServiceReference { Name = ServiceName, NamespaceProperty = ServiceNamespace, Port = ServicePort, Path = path },
            CaBundle = CaBundle,
        };
}
