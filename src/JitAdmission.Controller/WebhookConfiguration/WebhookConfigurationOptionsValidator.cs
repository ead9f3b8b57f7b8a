using JitAdmission.Core.Matching;

namespace JitAdmission.Controller.WebhookConfiguration;

/// <summary>Refuses to start with a webhook nobody can call: an unregistered webhook would silently gate nothing.</summary>
internal sealed class WebhookConfigurationOptionsValidator : IValidateOptions<WebhookConfigurationOptions>
{
    public ValidateOptionsResult Validate(string? name, WebhookConfigurationOptions options)
    {
        var failures = new List<string>();
        var hasUrl = !string.IsNullOrWhiteSpace(options.Url);
        var hasService = !string.IsNullOrWhiteSpace(options.ServiceName);
        if (!hasUrl && !hasService)
            failures.Add("Webhook: set --webhook-url (out of cluster) or --service-name (in cluster) so the API server can call the webhook");
        if (hasUrl && (!Uri.TryCreate(options.Url, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttps || !string.IsNullOrEmpty(uri.Query)))
            failures.Add($"Webhook:Url \"{options.Url}\" must be an absolute https URL without a query");
        if (hasService && !NameRules.IsDnsLabel(options.ServiceName))
            failures.Add($"Webhook:ServiceName \"{options.ServiceName}\" is not a Service name");
        if (options.ServicePort is < 1 or > 65535) failures.Add($"Webhook:ServicePort {options.ServicePort} is not a port");
        if (options.TimeoutSeconds is < 1 or > 30) failures.Add($"Webhook:TimeoutSeconds {options.TimeoutSeconds} must be between 1 and 30 (the API server's limit)");
        if (options.FailurePolicy is not ("Fail" or "Ignore")) failures.Add($"Webhook:FailurePolicy \"{options.FailurePolicy}\" must be Fail or Ignore");
        if (!NameRules.IsDnsSubdomain(options.ConfigurationName))
            failures.Add($"Webhook:ConfigurationName \"{options.ConfigurationName}\" is not a valid object name");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
