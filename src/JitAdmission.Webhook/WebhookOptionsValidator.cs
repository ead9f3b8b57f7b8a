namespace JitAdmission.Webhook;

/// <summary>Refuses settings the transport cannot honour, at start-up rather than on the first request.</summary>
internal sealed class WebhookOptionsValidator : IValidateOptions<WebhookOptions>
{
    public ValidateOptionsResult Validate(string? name, WebhookOptions options)
    {
        var failures = new List<string>();
        if (!ListenAddress.TryParse(options.ListenUrl, "https", out _, out var error))
            failures.Add($"Webhook:ListenUrl: {error}");
        if (options.MetricsListenUrl is { Length: > 0 } metrics)
        {
            if (!ListenAddress.TryParse(metrics, "http", out var address, out error)) failures.Add($"Webhook:MetricsListenUrl: {error}");
            else if (address.Port == 0) failures.Add("Webhook:MetricsListenUrl: needs an explicit port");
        }

        if (options.MaxRequestBodyBytes is < 1024 or > 256L * 1024 * 1024)
            failures.Add("Webhook:MaxRequestBodyBytes must be between 1 KiB and 256 MiB");
        if (options.HandlerTimeout <= TimeSpan.Zero || options.HandlerTimeout > TimeSpan.FromMinutes(5))
            failures.Add("Webhook:HandlerTimeout must be positive and at most 5 minutes");
        if (options.TimeoutMargin < TimeSpan.Zero || options.TimeoutMargin > TimeSpan.FromSeconds(10))
            failures.Add("Webhook:TimeoutMargin must be between 0 and 10 seconds");
        if (options.MaxJsonDepth is < 16 or > 1000)
            failures.Add("Webhook:MaxJsonDepth must be between 16 and 1000");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
