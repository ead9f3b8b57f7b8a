using System.Net;
using System.Security.Cryptography.X509Certificates;
using JitAdmission.Integration.Tests.Infrastructure;
using JitAdmission.Integration.Tests.KubernetesEdge.Support;
using JitAdmission.Kubernetes.Certificates;
using JitAdmission.Kubernetes.Tests.Support;
using k8s;
using Microsoft.Extensions.Time.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace JitAdmission.Integration.Tests.KubernetesEdge;

public sealed class SecretCertificateSourceTests(KubeSandbox sandbox) : IClassFixture<KubeSandbox>, IAsyncLifetime
{
    private readonly IKubernetes _admin = sandbox.AdminClient();
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private string _ns = "";

    public async Task InitializeAsync() => _ns = await _admin.NewNamespaceAsync("certs");

    public Task DisposeAsync()
    {
        _admin.Dispose();
        return Task.CompletedTask;
    }

    private SecretCertificateOptions Options(TimeSpan? caLifetime = null, TimeSpan? servingLifetime = null)
    {
        var options = new SecretCertificateOptions
        {
            Namespace = _ns,
            SecretName = "jit-admission-tls",
            CaLifetime = caLifetime ?? TimeSpan.FromDays(365),
            ServingLifetime = servingLifetime ?? TimeSpan.FromDays(30),
            CheckInterval = TimeSpan.FromMinutes(1),
            CaPropagationDelay = TimeSpan.FromMinutes(10),
        };
        options.DnsNames.Add("jit-admission.jit.svc");
        options.IpAddresses.Add(IPAddress.Loopback);
        return options;
    }

    private static IReadOnlyList<X509Certificate2> Bundle(SecretCertificateSource s) => CertificateFactory.ParseBundle(s.CaBundlePem);

    /// <summary>Moves fake time on in check-interval steps (giving the real API calls time to happen) until the condition holds.</summary>
    private async Task AdvanceUntil(Func<bool> condition, string because)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException(because);
            _time.Advance(TimeSpan.FromMinutes(1));
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task The_first_instance_creates_the_Secret_and_the_next_ones_serve_the_same_certificate()
    {
        using var a = new SecretCertificateSource(_admin, Options(), () => true, _time, NullLoggerFactory.Instance);
        using var b = new SecretCertificateSource(_admin, Options(), () => false, _time, NullLoggerFactory.Instance);
        using var c = new SecretCertificateSource(_admin, Options(), () => true, _time, NullLoggerFactory.Instance);

        await Task.WhenAll(a.InitializeAsync(default), c.InitializeAsync(default)); // racing creators
        await b.InitializeAsync(default);

        Assert.Equal(a.Current.Thumbprint, b.Current.Thumbprint);
        Assert.Equal(a.Current.Thumbprint, c.Current.Thumbprint);
        Assert.Equal(a.CaBundlePem, b.CaBundlePem);
        var ca = Assert.Single(Bundle(a));
        Assert.True(CertificateFactory.IsIssuedBy(a.Current, ca, _time.GetUtcNow()));
        var (dns, ips) = CertificateFactory.SubjectAlternativeNames(b.Current);
        Assert.Equal(["jit-admission.jit.svc"], dns);
        Assert.Equal([IPAddress.Loopback], ips);
        var secret = await _admin.CoreV1.ReadNamespacedSecretAsync("jit-admission-tls", _ns);
        Assert.Equal("kubernetes.io/tls", secret.Type);
        Assert.Contains("tls.crt", secret.Data.Keys);
        Assert.Contains("ca-signing.key", secret.Data.Keys);
    }

    [Fact]
    public async Task The_leader_renews_the_serving_certificate_at_two_thirds_of_its_lifetime_and_every_replica_reloads()
    {
        using var leader = new SecretCertificateSource(_admin, Options(servingLifetime: TimeSpan.FromDays(30)), () => true, _time, NullLoggerFactory.Instance);
        using var follower = new SecretCertificateSource(_admin, Options(servingLifetime: TimeSpan.FromDays(30)), () => false, _time, NullLoggerFactory.Instance);
        await leader.InitializeAsync(default);
        await follower.InitializeAsync(default);
        var first = leader.Current.Thumbprint;
        var bundle = leader.CaBundlePem;
        var followerChanges = 0;
        follower.Changed += (_, _) => Interlocked.Increment(ref followerChanges);
        await using var runLeader = Running.Start(leader.RunAsync);
        await using var runFollower = Running.Start(follower.RunAsync);

        _time.Advance(TimeSpan.FromDays(19));
        await AdvanceUntil(() => true, "");
        Assert.Equal(first, leader.Current.Thumbprint); // not yet due

        _time.Advance(TimeSpan.FromDays(1.5));
        await AdvanceUntil(() => leader.Current.Thumbprint != first && follower.Current.Thumbprint == leader.Current.Thumbprint, "renewal should reach both replicas");

        Assert.True(Volatile.Read(ref followerChanges) >= 1);
        Assert.Equal(bundle, leader.CaBundlePem); // same CA
        Assert.Equal(bundle, follower.CaBundlePem);
        Assert.True(CertificateFactory.IsIssuedBy(follower.Current, Bundle(follower).Single(), _time.GetUtcNow()));
    }

    [Fact]
    public async Task A_CA_nearing_its_end_is_rotated_in_two_phases_with_both_CAs_trusted_meanwhile()
    {
        var options = Options(caLifetime: TimeSpan.FromDays(90), servingLifetime: TimeSpan.FromDays(20));
        using var source = new SecretCertificateSource(_admin, options, () => true, _time, NullLoggerFactory.Instance);
        await source.InitializeAsync(default);
        var oldCa = Bundle(source).Single();
        await using var run = Running.Start(source.RunAsync);

        // Phase 1 (past 2/3 of the CA's life): the new CA is trusted, the old one still signs.
        _time.Advance(TimeSpan.FromDays(61));
        await AdvanceUntil(() => Bundle(source).Count == 2, "a second CA should join the trust bundle");
        var newCa = Bundle(source).Single(c => c.Thumbprint != oldCa.Thumbprint);
        Assert.True(CertificateFactory.IsIssuedBy(source.Current, oldCa, _time.GetUtcNow()));

        // Phase 2 (after the propagation delay): the new CA signs; the old one stays trusted.
        await AdvanceUntil(() => CertificateFactory.IsIssuedBy(source.Current, newCa, _time.GetUtcNow()), "the new CA should start signing");
        Assert.Equal(2, Bundle(source).Count);

        // Phase 3: once the old CA has expired it leaves the bundle.
        _time.Advance(TimeSpan.FromDays(30));
        await AdvanceUntil(() => Bundle(source).Count == 1, "the expired CA should leave the trust bundle");
        Assert.Equal(newCa.Thumbprint, Bundle(source).Single().Thumbprint);
        Assert.True(CertificateFactory.IsIssuedBy(source.Current, newCa, _time.GetUtcNow()));
    }

    [Fact]
    public async Task A_damaged_Secret_is_repaired_by_the_leader()
    {
        using var first = new SecretCertificateSource(_admin, Options(), () => true, _time, NullLoggerFactory.Instance);
        await first.InitializeAsync(default);
        var secret = await _admin.CoreV1.ReadNamespacedSecretAsync("jit-admission-tls", _ns);
        secret.Data["tls.key"] = "garbage"u8.ToArray();
        await _admin.CoreV1.ReplaceNamespacedSecretAsync(secret, "jit-admission-tls", _ns);

        using var second = new SecretCertificateSource(_admin, Options(), () => true, _time, NullLoggerFactory.Instance);
        await second.InitializeAsync(default);

        Assert.True(second.Current.HasPrivateKey);
        Assert.NotEqual(first.Current.Thumbprint, second.Current.Thumbprint);
        Assert.Equal(first.CaBundlePem, second.CaBundlePem); // the CA survived; only the serving pair was re-issued
    }
}
