using JitAdmission.Controller.WebhookConfiguration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace JitAdmission.Controller.Tests.WebhookConfiguration;

/// <summary>The owner's settings come from the <c>Webhook</c> section and are checked at start.</summary>
public sealed class WebhookConfigurationOptionsTests
{
    private static WebhookConfigurationOptions Bind(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection().AddWebhookConfigurationOptionsOnly(configuration);
        using var provider = services.BuildServiceProvider();
        return provider.GetRequiredService<IOptions<WebhookConfigurationOptions>>().Value;
    }

    [Fact]
    public void Defaults_and_switches_bind()
    {
        var options = Bind(new() { ["Webhook:Url"] = "https://127.0.0.1:9443", ["Webhook:TimeoutSeconds"] = "10" });

        Assert.Equal(("https://127.0.0.1:9443", 10, "Fail", "jit-admission", 443), (options.Url, options.TimeoutSeconds, options.FailurePolicy, options.ConfigurationName, options.ServicePort));
    }

    public static TheoryData<string, string, string> Invalid => new()
    {
        { "Webhook:Url", "", "set --webhook-url (out of cluster) or --service-name (in cluster)" },
        { "Webhook:Url", "http://127.0.0.1:8443", "must be an absolute https URL" },
        { "Webhook:TimeoutSeconds", "31", "must be between 1 and 30" },
        { "Webhook:TimeoutSeconds", "0", "must be between 1 and 30" },
        { "Webhook:FailurePolicy", "Open", "must be Fail or Ignore" },
        { "Webhook:ConfigurationName", "Not_A_Name", "is not a valid object name" },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void Settings_that_cannot_work_stop_the_start(string key, string value, string expected)
    {
        var settings = new Dictionary<string, string?> { ["Webhook:Url"] = "https://127.0.0.1:8443", [key] = value };

        var error = Assert.Throws<OptionsValidationException>(() => Bind(settings));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }
}

internal static class OptionsOnly
{
    /// <summary>The owner's registration without the owner itself (it needs a cluster).</summary>
    public static IServiceCollection AddWebhookConfigurationOptionsOnly(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddWebhookConfigurationOwner(configuration);
        var owner = services.Single(d => d.ImplementationType == typeof(WebhookConfigurationOwner));
        services.Remove(owner);
        return services;
    }
}
