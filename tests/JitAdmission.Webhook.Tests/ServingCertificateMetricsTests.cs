using System.Globalization;
using JitAdmission.Webhook.Tests.Infrastructure;

namespace JitAdmission.Webhook.Tests;

/// <summary>The certificate-expiry gauge follows what the replica serves, from the first scrape and through rotations.</summary>
public sealed class ServingCertificateMetricsTests
{
    private const string Gauge = "jitadmission_serving_certificate_expiry_timestamp_seconds";

    private static long Value(string metrics) =>
        long.Parse(metrics.Split('\n').Single(l => l.StartsWith(Gauge + " ", StringComparison.Ordinal)).Split(' ')[1], NumberStyles.Float, CultureInfo.InvariantCulture);

    [Fact]
    public async Task The_gauge_is_the_served_certificates_not_after_and_moves_with_a_rotation()
    {
        await using var host = await WebhookTestHost.StartAsync(DelegateHandler.AllowAll());
        var first = await host.Client.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        var until = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.AddHours(2).ToUnixTimeSeconds());
        host.Source.Rotate(host.Certificates.IssueServer("serving-2", until));
        var rotated = await host.Client.GetStringAsync(new Uri("/metrics", UriKind.Relative));

        Assert.Equal(new DateTimeOffset(host.Source.Current.NotAfter.ToUniversalTime()).ToUnixTimeSeconds(), Value(rotated));
        Assert.Equal(until.ToUnixTimeSeconds(), Value(rotated));
        Assert.InRange(Value(first), DateTimeOffset.UtcNow.AddHours(11).ToUnixTimeSeconds(), DateTimeOffset.UtcNow.AddHours(13).ToUnixTimeSeconds());
    }
}
