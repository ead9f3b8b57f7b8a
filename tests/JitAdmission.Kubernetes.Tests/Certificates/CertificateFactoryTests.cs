using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using JitAdmission.Kubernetes.Certificates;
using Microsoft.Extensions.Time.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace JitAdmission.Kubernetes.Tests.Certificates;

public sealed class CertificateFactoryTests
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);

    [Fact]
    public void A_serving_certificate_chains_to_its_CA_with_the_requested_names_and_server_usage()
    {
        var factory = new CertificateFactory(_time);
        using var ca = factory.CreateCertificateAuthority("test CA", TimeSpan.FromDays(365));
        using var other = factory.CreateCertificateAuthority("other CA", TimeSpan.FromDays(365));
        using var leaf = factory.CreateServingCertificate(ca, ["jit.svc", "jit.svc.cluster.local"], [IPAddress.Loopback], TimeSpan.FromDays(30));

        Assert.True(CertificateFactory.IsIssuedBy(leaf, ca, _time.GetUtcNow()));
        Assert.False(CertificateFactory.IsIssuedBy(leaf, other, _time.GetUtcNow()));
        var (dns, ips) = CertificateFactory.SubjectAlternativeNames(leaf);
        Assert.Equal(["jit.svc", "jit.svc.cluster.local"], dns);
        Assert.Equal([IPAddress.Loopback], ips);
        Assert.Contains(leaf.Extensions.OfType<X509EnhancedKeyUsageExtension>().Single().EnhancedKeyUsages.Cast<Oid>(), o => o.Value == "1.3.6.1.5.5.7.3.1");
        Assert.Equal(X509KeyUsageFlags.DigitalSignature, leaf.Extensions.OfType<X509KeyUsageExtension>().Single().KeyUsages);
        Assert.False(leaf.Extensions.OfType<X509BasicConstraintsExtension>().Single().CertificateAuthority);
        Assert.True(ca.Extensions.OfType<X509BasicConstraintsExtension>().Single().CertificateAuthority);
        Assert.True(ca.Extensions.OfType<X509KeyUsageExtension>().Single().KeyUsages.HasFlag(X509KeyUsageFlags.KeyCertSign));
        Assert.Equal("1.2.840.10045.2.1", leaf.PublicKey.Oid.Value); // ECDSA
        Assert.Equal(_time.GetUtcNow().UtcDateTime.AddDays(30), leaf.NotAfter.ToUniversalTime(), TimeSpan.FromSeconds(1));
        Assert.True(leaf.NotBefore.ToUniversalTime() < _time.GetUtcNow().UtcDateTime, "back-dated for clock skew");

        // Expired by the clock we are given, not the machine's.
        Assert.False(CertificateFactory.IsIssuedBy(leaf, ca, _time.GetUtcNow().AddDays(31)));
    }

    [Fact]
    public void A_serving_certificate_never_outlives_its_CA()
    {
        var factory = new CertificateFactory(_time);
        using var ca = factory.CreateCertificateAuthority("short CA", TimeSpan.FromDays(10));
        using var leaf = factory.CreateServingCertificate(ca, ["a"], [], TimeSpan.FromDays(90));
        Assert.Equal(ca.NotAfter, leaf.NotAfter);
    }

    [Fact]
    public void Pem_round_trips_and_a_mismatched_key_is_refused()
    {
        var factory = new CertificateFactory(_time);
        using var ca = factory.CreateCertificateAuthority("ca", TimeSpan.FromDays(10));
        using var a = factory.CreateServingCertificate(ca, ["a"], [], TimeSpan.FromDays(1));
        using var b = factory.CreateServingCertificate(ca, ["b"], [], TimeSpan.FromDays(1));

        using var loaded = CertificateFactory.FromPem(CertificateFactory.CertificatePem(a), CertificateFactory.PrivateKeyPem(a));
        Assert.Equal(a.Thumbprint, loaded.Thumbprint);
        Assert.True(loaded.HasPrivateKey);
        Assert.ThrowsAny<CryptographicException>(() => CertificateFactory.FromPem(CertificateFactory.CertificatePem(a), CertificateFactory.PrivateKeyPem(b)));
        var bundle = CertificateFactory.ParseBundle(CertificateFactory.BundlePem([ca, a]));
        Assert.Equal([ca.Thumbprint, a.Thumbprint], bundle.Select(c => c.Thumbprint));
    }

    [Fact]
    public async Task A_TLS_client_trusting_the_CA_bundle_accepts_the_self_signed_source_on_loopback()
    {
        using var source = SelfSignedCertificateSource.ForLoopback(TimeProvider.System, NullLogger<SelfSignedCertificateSource>.Instance);
        var trusted = CertificateFactory.ParseBundle(source.CaBundlePem).Single();
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;

        var serve = Task.Run(async () =>
        {
            using var socket = await listener.AcceptTcpClientAsync();
            await using var tls = new SslStream(socket.GetStream());
            await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificateSelectionCallback = (_, _) => source.Current });
            await tls.WriteAsync(new byte[] { 42 });
        });
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port);
        await using var clientTls = new SslStream(client.GetStream());
        await clientTls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "127.0.0.1",
            CertificateChainPolicy = new X509ChainPolicy
            {
                TrustMode = X509ChainTrustMode.CustomRootTrust,
                CustomTrustStore = { trusted },
                RevocationMode = X509RevocationMode.NoCheck,
            },
        });
        var buffer = new byte[1];
        await clientTls.ReadExactlyAsync(buffer);
        await serve.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(42, buffer[0]);
        Assert.Equal(source.Current.Thumbprint, new X509Certificate2(clientTls.RemoteCertificate!).Thumbprint);
    }

    [Fact]
    public void The_self_signed_source_reissues_its_serving_certificate_at_two_thirds_of_its_lifetime()
    {
        using var source = new SelfSignedCertificateSource(["localhost"], [IPAddress.Loopback], _time, NullLogger<SelfSignedCertificateSource>.Instance, servingLifetime: TimeSpan.FromDays(30));
        var first = source.Current;
        var bundle = source.CaBundlePem;
        var changed = 0;
        source.Changed += (_, _) => changed++;

        _time.Advance(TimeSpan.FromDays(19));
        Assert.Same(first, source.Current);
        _time.Advance(TimeSpan.FromDays(1.1));

        Assert.Equal(1, changed);
        Assert.NotEqual(first.Thumbprint, source.Current.Thumbprint);
        Assert.Equal(bundle, source.CaBundlePem);
        Assert.True(CertificateFactory.IsIssuedBy(source.Current, source.CertificateAuthority, _time.GetUtcNow()));
    }
}
