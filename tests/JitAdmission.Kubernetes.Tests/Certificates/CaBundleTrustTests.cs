using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using JitAdmission.Kubernetes.Certificates;
using Microsoft.Extensions.Time.Testing;

namespace JitAdmission.Kubernetes.Tests.Certificates;

/// <summary>The check the API server makes of a webhook's certificate against its caBundle, made before it refuses us.</summary>
public sealed class CaBundleTrustTests : IDisposable
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly X509Certificate2 _ca;
    private readonly X509Certificate2 _other;
    private readonly X509Certificate2 _serving;

    public CaBundleTrustTests()
    {
        var factory = new CertificateFactory(_time);
        _ca = factory.CreateCertificateAuthority("right CA", TimeSpan.FromDays(365));
        _other = factory.CreateCertificateAuthority("wrong CA", TimeSpan.FromDays(365));
        _serving = factory.CreateServingCertificate(_ca, ["jit.svc"], [IPAddress.Loopback], TimeSpan.FromDays(30));
    }

    private static byte[] Pem(params X509Certificate2[] certificates) =>
        Encoding.ASCII.GetBytes(string.Concat(certificates.Select(c => c.ExportCertificatePem() + "\n")));

    [Fact]
    public void The_CA_that_signed_the_certificate_verifies_it_alone_or_beside_another_as_during_a_CA_rotation()
    {
        Assert.Null(CaBundleTrust.Problem(_serving, Pem(_ca), _time.GetUtcNow()));
        Assert.Null(CaBundleTrust.Problem(_serving, Pem(_other, _ca), _time.GetUtcNow()));
    }

    [Fact]
    public void Another_CA_does_not_and_the_problem_names_both_sides()
    {
        var problem = CaBundleTrust.Problem(_serving, Pem(_other), _time.GetUtcNow());
        Assert.NotNull(problem);
        Assert.Contains("does not verify the serving certificate", problem, StringComparison.Ordinal);
        Assert.Contains("CN=wrong CA", problem, StringComparison.Ordinal);
        Assert.Contains("issued by CN=right CA", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void An_expired_certificate_is_refused_whatever_the_bundle()
    {
        _time.Advance(TimeSpan.FromDays(31));
        Assert.Contains("expired at", CaBundleTrust.Problem(_serving, Pem(_ca), _time.GetUtcNow()), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "the caBundle is empty")]
    [InlineData("not a certificate", "holds no certificate")]
    [InlineData("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", "not PEM certificates")]
    public void An_empty_or_garbled_bundle_says_so(string bundle, string expected) =>
        Assert.Contains(expected, CaBundleTrust.Problem(_serving, Encoding.ASCII.GetBytes(bundle), _time.GetUtcNow()), StringComparison.Ordinal);

    public void Dispose()
    {
        _ca.Dispose();
        _other.Dispose();
        _serving.Dispose();
    }
}
