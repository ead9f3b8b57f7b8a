using JitAdmission.Core.Api;
using JitAdmission.Integration.Tests.Infrastructure;
using JitAdmission.Integration.Tests.Infrastructure.Proxy;
using JitAdmission.Integration.Tests.KubernetesEdge.Support;
using JitAdmission.Kubernetes.Caching;
using JitAdmission.Kubernetes.Tests.Support;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;

namespace JitAdmission.Integration.Tests.KubernetesEdge;

/// <summary>
/// The API server comes back with an empty etcd (a restore from an old backup, or the sandbox restarted): our
/// resourceVersion is from its future. The cache must notice, re-list, and report what vanished as deleted.
/// This class restarts its own sandbox, so it shares it with no other test.
/// </summary>
public sealed class ResourceCacheRestoreTests(KubeSandbox sandbox) : IClassFixture<KubeSandbox>
{
    [Fact]
    public async Task After_the_server_loses_its_data_the_cache_relists_and_reports_vanished_objects_as_deleted()
    {
        using (var admin = sandbox.AdminClient())
        {
            await sandbox.EnsureWidgetCrdAsync();
            await admin.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "restore" } });
            await admin.CreateWidgetAsync(Widget.Make("restore", "old-1"));
            await admin.CreateWidgetAsync(Widget.Make("restore", "old-2"));
            for (var i = 0; i < 40; i++) // push the resourceVersion well past what the fresh server will reach
                await admin.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = $"filler-{i}" } }, "restore");
            await admin.CreateWidgetAsync(Widget.Make("restore", "old-3"));
        }

        await using var proxy = LoopbackTcpProxy.For(new Uri(sandbox.ServerUrl));
        using var client = new WatchableKubernetes(sandbox.AdminConfig(proxy.UrlFor(new Uri(sandbox.ServerUrl))));
        var cache = new ResourceCache<Widget>(client, Widget.Descriptor.InNamespace("restore"), TimeProvider.System, NullLogger<ResourceCache<Widget>>.Instance, new ResourceCacheOptions
        {
            MinWatchTimeout = TimeSpan.FromSeconds(2),
            InitialBackoff = TimeSpan.FromMilliseconds(200),
            MaxBackoff = TimeSpan.FromSeconds(1),
        });
        var log = new EventLog<Widget>();
        using var sub = cache.Subscribe(log.Add);
        await using var run = Running.Start(cache.RunAsync);
        await cache.WaitForSyncAsync(CancellationToken.None);
        var before = ulong.Parse(cache.LastResourceVersion!, System.Globalization.CultureInfo.InvariantCulture);

        var home = SandboxHome();
        var down = await ProcessRunner.RunAsync(Path.Combine(home, "down"), [sandbox.Dir], timeout: TimeSpan.FromSeconds(30));
        Assert.True(down.Succeeded, down.ToString());
        var up = await ProcessRunner.RunAsync(Path.Combine(home, "up"), [sandbox.Dir], timeout: TimeSpan.FromSeconds(60));
        Assert.True(up.Succeeded, up.ToString());
        var newUrl = new Uri(KubernetesClientConfiguration.BuildConfigFromConfigFile(sandbox.AdminKubeconfig).Host);
        proxy.Upstream = new System.Net.DnsEndPoint(newUrl.Host, newUrl.Port);
        using (var admin = KubeSandbox.ClientFor(sandbox.AdminKubeconfig))
        {
            await sandbox.EnsureWidgetCrdAsync();
            await admin.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "restore" } });
            var fresh = await admin.CreateWidgetAsync(Widget.Make("restore", "new-1"));
            Assert.True(ulong.Parse(fresh.Metadata.ResourceVersion, System.Globalization.CultureInfo.InvariantCulture) < before, "the restarted server must be behind our resourceVersion for this test to mean anything");
        }

        await Poll.UntilAsync(() => cache.Get("restore", "new-1") is not null && cache.List().Count == 1, TimeSpan.FromSeconds(30));
        var lines = log.Lines();
        Assert.Equal(["Added old-1", "Added old-2", "Added old-3"], lines.Take(3));
        Assert.Equal(["Added new-1", "Deleted old-1", "Deleted old-2", "Deleted old-3"], lines.Skip(3).Order(StringComparer.Ordinal));
        Assert.True(cache.ListCount >= 2);
    }

    private static string SandboxHome()
    {
        var home = Environment.GetEnvironmentVariable("KUBE_SANDBOX_HOME");
        return string.IsNullOrEmpty(home) ? Path.GetFullPath(Path.Combine(KubeSandbox.RepoRoot(), "..", "shared", "kube-sandbox")) : home;
    }
}
