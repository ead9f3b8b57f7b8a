using System.Security.Cryptography.X509Certificates;
using JitAdmission.Integration.Tests.Infrastructure;
using JitAdmission.Kubernetes.Certificates;
using JitAdmission.Kubernetes.Tests.Support;
using Microsoft.Extensions.Time.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace JitAdmission.Integration.Tests.KubernetesEdge;

public sealed class FileCertificateSourceTests : IDisposable
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly CertificateFactory _factory;
    private readonly X509Certificate2 _ca;
    private readonly string _dir = Directory.CreateTempSubdirectory("jit-certs-").FullName;

    public FileCertificateSourceTests()
    {
        _factory = new CertificateFactory(_time);
        _ca = _factory.CreateCertificateAuthority("files CA", TimeSpan.FromDays(365));
    }

    public void Dispose()
    {
        _ca.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private X509Certificate2 Issue(string name, TimeSpan? lifetime = null) => _factory.CreateServingCertificate(_ca, [name], [], lifetime ?? TimeSpan.FromDays(30));

    private string Path(string file) => System.IO.Path.Combine(_dir, file);

    private void WritePlain(X509Certificate2 cert, X509Certificate2? keyOf = null)
    {
        File.WriteAllText(Path("tls.crt"), CertificateFactory.CertificatePem(cert));
        File.WriteAllText(Path("tls.key"), CertificateFactory.PrivateKeyPem(keyOf ?? cert));
        File.WriteAllText(Path("ca.crt"), CertificateFactory.CertificatePem(_ca));
    }

    /// <summary>What the kubelet does for a mounted Secret: a timestamped directory, then an atomic swap of the ..data symlink.</summary>
    private async Task WriteAsKubelet(X509Certificate2 cert, string version)
    {
        var data = Path(".." + version);
        Directory.CreateDirectory(data);
        File.WriteAllText(System.IO.Path.Combine(data, "tls.crt"), CertificateFactory.CertificatePem(cert));
        File.WriteAllText(System.IO.Path.Combine(data, "tls.key"), CertificateFactory.PrivateKeyPem(cert));
        File.WriteAllText(System.IO.Path.Combine(data, "ca.crt"), CertificateFactory.CertificatePem(_ca));
        File.CreateSymbolicLink(Path("..data_tmp"), ".." + version);
        // rename(2) over the old link, as the kubelet does (File.Move will not move a link to a directory).
        var mv = await ProcessRunner.RunAsync("mv", ["-Tf", Path("..data_tmp"), Path("..data")]);
        Assert.True(mv.Succeeded, mv.ToString());
        foreach (var f in new[] { "tls.crt", "tls.key", "ca.crt" })
            if (!File.Exists(Path(f))) File.CreateSymbolicLink(Path(f), System.IO.Path.Combine("..data", f));
    }

    [Fact]
    public async Task A_kubelet_style_symlink_swap_is_picked_up_by_the_directory_watcher()
    {
        using var first = Issue("first");
        using var second = Issue("second");
        await WriteAsKubelet(first, "2030_01_01");
        using var source = new FileCertificateSource(Path("tls.crt"), Path("tls.key"), Path("ca.crt"), _time, NullLogger<FileCertificateSource>.Instance, pollInterval: TimeSpan.FromHours(1));
        var changed = 0;
        source.Changed += (_, _) => Interlocked.Increment(ref changed);
        Assert.Equal(first.Thumbprint, source.Current.Thumbprint);
        Assert.Equal(CertificateFactory.CertificatePem(_ca), source.CaBundlePem);

        await WriteAsKubelet(second, "2030_02_01");

        // Current switches just before Changed is raised on the watcher's thread: wait for both.
        await Poll.UntilAsync(() => source.Current.Thumbprint == second.Thumbprint && Volatile.Read(ref changed) >= 1, TimeSpan.FromSeconds(10), "the watcher should notice the ..data swap without any poll");
        Assert.True(source.Current.HasPrivateKey);
    }

    [Fact]
    public void The_poll_catches_changes_the_watcher_missed_and_a_mismatched_pair_is_ignored_until_complete()
    {
        using var first = Issue("first");
        using var second = Issue("second");
        WritePlain(first);
        using var source = new FileCertificateSource(Path("tls.crt"), Path("tls.key"), Path("ca.crt"), _time, NullLogger<FileCertificateSource>.Instance, pollInterval: TimeSpan.FromSeconds(30), watchFileSystem: false);
        var changed = 0;
        source.Changed += (_, _) => changed++;

        WritePlain(second, keyOf: first); // half-written update: new certificate, old key
        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(first.Thumbprint, source.Current.Thumbprint);
        Assert.Equal(0, changed);

        WritePlain(second);
        _time.Advance(TimeSpan.FromSeconds(29));
        Assert.Equal(first.Thumbprint, source.Current.Thumbprint);
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(second.Thumbprint, source.Current.Thumbprint);
        Assert.Equal(1, changed);

        _time.Advance(TimeSpan.FromSeconds(30)); // nothing new: no event
        Assert.Equal(1, changed);
    }

    [Fact]
    public void An_expired_replacement_is_refused_and_unusable_files_fail_at_startup()
    {
        using var current = Issue("current", TimeSpan.FromDays(30));
        using var shortLived = Issue("short", TimeSpan.FromDays(1));
        WritePlain(current);
        using var source = new FileCertificateSource(Path("tls.crt"), Path("tls.key"), null, _time, NullLogger<FileCertificateSource>.Instance, watchFileSystem: false);
        Assert.Equal(CertificateFactory.CertificatePem(current), source.CaBundlePem); // no ca.crt given: trust what is served

        _time.Advance(TimeSpan.FromDays(2));
        WritePlain(shortLived);
        Assert.False(source.TryReload(out var error));
        Assert.Contains("expired", error);
        Assert.Equal(current.Thumbprint, source.Current.Thumbprint);

        File.WriteAllText(Path("tls.key"), "not a key");
        Assert.Throws<InvalidOperationException>(() => new FileCertificateSource(Path("tls.crt"), Path("tls.key"), null, TimeProvider.System, NullLogger<FileCertificateSource>.Instance, watchFileSystem: false));
    }
}
