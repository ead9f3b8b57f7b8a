using System.Diagnostics;
using JitAdmission.Core.Api;
using JitAdmission.Integration.Tests.Infrastructure;
using JitAdmission.Kubernetes.Client;
using k8s;

namespace JitAdmission.Integration.Tests.KubernetesEdge;

public sealed class ClientFactoryTests(KubeSandbox sandbox) : IClassFixture<KubeSandbox>
{
    [Fact]
    public async Task WhoAmI_reports_the_identity_the_server_sees_for_admin_and_for_a_user()
    {
        using var admin = KubernetesClientFactory.Create(new KubernetesClientOptions { Kubeconfig = sandbox.AdminKubeconfig, Context = "kube-sandbox" });
        using var alice = KubernetesClientFactory.Create(new KubernetesClientOptions { Kubeconfig = await sandbox.UserKubeconfigAsync("alice", "devs", "ops") });

        var adminIdentity = await SelfIdentity.WhoAmIAsync(admin);
        var aliceIdentity = await SelfIdentity.WhoAmIAsync(alice);

        Assert.Equal("sandbox-admin", adminIdentity.Username);
        Assert.Contains("system:masters", adminIdentity.Groups);
        Assert.Equal("alice", aliceIdentity.Username);
        Assert.Contains("devs", aliceIdentity.Groups);
        Assert.Contains("ops", aliceIdentity.Groups);
    }

    [Fact]
    public void An_unknown_context_is_refused()
    {
        Assert.ThrowsAny<Exception>(() => KubernetesClientFactory.BuildConfiguration(sandbox.AdminKubeconfig, "no-such-context"));
    }

    [Fact]
    public async Task A_watch_streams_longer_than_the_request_timeout()
    {
        using var client = KubernetesClientFactory.Create(new KubernetesClientOptions { Kubeconfig = sandbox.AdminKubeconfig, RequestTimeout = TimeSpan.FromSeconds(1) });
        var clock = Stopwatch.StartNew();

        await foreach (var _ in client.CustomObjects.WatchListNamespacedCustomObjectAsync("", "v1", "kube-public", "configmaps", allowWatchBookmarks: true, timeoutSeconds: 3))
        {
        }

        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(2.5), $"the watch ended after {clock.Elapsed}");
        var list = await client.CoreV1.ListNamespaceAsync(); // ordinary calls still work under the short timeout
        Assert.NotEmpty(list.Items);
    }
}
