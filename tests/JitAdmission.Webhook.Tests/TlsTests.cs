using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using JitAdmission.Webhook.Tests.Infrastructure;
using Xunit.Abstractions;

namespace JitAdmission.Webhook.Tests;

public sealed class TlsTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_rotated_certificate_is_served_to_new_connections_without_a_restart()
    {
        await using var host = await WebhookTestHost.StartAsync(DelegateHandler.AllowAll());
        X509Certificate2? before = null, after = null;
        var first = host.CreateClient(c => before = c);
        Assert.True((await WebhookTestHost.PostAsync(first, "/validate", AdmissionReviewBuilder.Create().BuildUtf8())).Allowed);

        host.Source.Rotate(host.Certificates.IssueServer("serving-2"));
        var second = host.CreateClient(c => after = c);
        var review = await WebhookTestHost.PostAsync(second, "/validate", AdmissionReviewBuilder.Create().BuildUtf8());

        Assert.True(review.Allowed);
        Assert.Equal("CN=serving-1", before!.Subject);
        Assert.Equal("CN=serving-2", after!.Subject);
        // The connection opened before the rotation stays usable.
        Assert.True((await WebhookTestHost.PostAsync(first, "/validate", AdmissionReviewBuilder.Create().BuildUtf8())).Allowed);
    }

    [Theory]
    [InlineData(SslProtocols.Tls12)]
    [InlineData(SslProtocols.Tls13)]
    public async Task Tls_1_2_and_1_3_are_accepted(SslProtocols protocol)
    {
        await using var host = await WebhookTestHost.StartAsync(DelegateHandler.AllowAll());

        await using var connection = await RawHttpsConnection.OpenAsync(host.BaseAddress, host.Certificates, protocol);

        Assert.Equal(protocol, connection.NegotiatedProtocol);
    }

#pragma warning disable SYSLIB0039, CA5397 // TLS 1.0/1.1 are named here only to prove they are refused.
    [Fact]
    public async Task Tls_1_1_is_refused()
    {
        Assert.Equal(SslProtocols.Tls12 | SslProtocols.Tls13, AdmissionHttpsExtensions.Protocols);
        await using var host = await WebhookTestHost.StartAsync(DelegateHandler.AllowAll());

        await Assert.ThrowsAnyAsync<Exception>(() => RawHttpsConnection.OpenAsync(host.BaseAddress, host.Certificates, SslProtocols.Tls11));
        // The refusal proves the webhook's configuration only where this machine's TLS library speaks 1.1 at all;
        // where it does not (OpenSSL 3's default security level), the configured protocols above hold the line.
        var platform = await PlatformNegotiatesAsync(host.Certificates, SslProtocols.Tls11);
        output.WriteLine($"TLS 1.1 available on this platform: {platform}");
    }

    private static async Task<bool> PlatformNegotiatesAsync(TestCertificates certificates, SslProtocols protocol)
    {
        using var certificate = certificates.IssueServer("probe");
        using var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        var serverSide = Task.Run(async () =>
        {
            using var accepted = await listener.AcceptTcpClientAsync();
            await using var tls = new SslStream(accepted.GetStream());
            try
            {
                await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = certificate, EnabledSslProtocols = protocol });
            }
            catch (Exception ex) when (ex is AuthenticationException or IOException)
            {
            }
        });
        try
        {
            await using var _ = await RawHttpsConnection.OpenAsync(new Uri($"https://127.0.0.1:{port}"), certificates, protocol);
            return true;
        }
        catch (Exception ex) when (ex is AuthenticationException or IOException)
        {
            return false;
        }
        finally
        {
            await serverSide.WaitAsync(TimeSpan.FromSeconds(10));
        }
    }
#pragma warning restore SYSLIB0039, CA5397
}
