using JitAdmission.Webhook.Tests.Infrastructure;
using Microsoft.Extensions.Options;

namespace JitAdmission.Webhook.Tests;

public sealed class WebhookOptionsTests
{
    public static TheoryData<string, Action<WebhookOptions>, string?> Cases => new()
    {
        { "defaults", _ => { }, null },
        { "loopback", o => o.ListenUrl = "https://127.0.0.1:8443", null },
        { "every IPv6 interface", o => o.ListenUrl = "https://[::]:8443", null },
        { "star", o => o.ListenUrl = "https://*:8443", null },
        { "localhost", o => o.ListenUrl = "https://localhost:8443", null },
        { "plain http", o => o.ListenUrl = "http://0.0.0.0:8443", "is not a https://HOST:PORT URL" },
        { "host name", o => o.ListenUrl = "https://webhook.example.com:8443", "must be an IP address" },
        { "localhost port 0", o => o.ListenUrl = "https://localhost:0", "use 127.0.0.1" },
        { "path", o => o.ListenUrl = "https://127.0.0.1:8443/validate", "must not have a path" },
        { "empty", o => o.ListenUrl = "", "Webhook:ListenUrl: is empty" },
        { "tiny body limit", o => o.MaxRequestBodyBytes = 10, "MaxRequestBodyBytes" },
        { "zero timeout", o => o.HandlerTimeout = TimeSpan.Zero, "HandlerTimeout" },
        { "negative margin", o => o.TimeoutMargin = TimeSpan.FromSeconds(-1), "TimeoutMargin" },
        { "shallow depth", o => o.MaxJsonDepth = 5, "MaxJsonDepth" },
        { "metrics listener", o => o.MetricsListenUrl = "http://0.0.0.0:9090", null },
        { "metrics over https", o => o.MetricsListenUrl = "https://0.0.0.0:9090", "Webhook:MetricsListenUrl" },
        { "metrics port 0", o => o.MetricsListenUrl = "http://0.0.0.0:0", "needs an explicit port" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Settings_are_validated(string name, Action<WebhookOptions> change, string? failure)
    {
        var options = new WebhookOptions();
        change(options);

        var result = new WebhookOptionsValidator().Validate(null, options);

        Assert.True(result.Succeeded == (failure is null), $"{name}: {result.FailureMessage}");
        if (failure is not null) Assert.Contains(failure, result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invalid_settings_stop_the_host_at_start()
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => WebhookTestHost.StartAsync(DelegateHandler.AllowAll(),
            new Dictionary<string, string?> { ["Webhook:MaxJsonDepth"] = "3" }));

        Assert.Contains("MaxJsonDepth", error.Message, StringComparison.Ordinal);
    }
}
