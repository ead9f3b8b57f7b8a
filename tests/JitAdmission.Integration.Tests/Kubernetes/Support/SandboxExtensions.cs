using JitAdmission.Integration.Tests.Infrastructure;
using JitAdmission.Kubernetes.Tests.Support;
using k8s;
using k8s.Models;

namespace JitAdmission.Integration.Tests.KubernetesEdge.Support;

public static class SandboxExtensions
{
    private static readonly SemaphoreSlim CrdGate = new(1, 1);

    /// <summary>Applies the Widget CRD once per sandbox and waits until it is served.</summary>
    public static async Task EnsureWidgetCrdAsync(this KubeSandbox sandbox)
    {
        await CrdGate.WaitAsync();
        try
        {
            await sandbox.ApplyAsync(Widget.CrdYaml);
            var wait = await sandbox.AdminKubectlAsync("wait", "--for=condition=established", "--timeout=30s", "crd/widgets.test.jitadmission.io");
            if (!wait.Succeeded) throw new InvalidOperationException(wait.ToString());
        }
        finally
        {
            CrdGate.Release();
        }
    }

    /// <summary>A fresh namespace with a unique name, so tests in one sandbox never see each other's objects.</summary>
    public static async Task<string> NewNamespaceAsync(this IKubernetes client, string prefix)
    {
        var name = $"{prefix}-{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 9, 63)];
        await client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = name } });
        return name;
    }

    /// <summary>The admin's client configuration, optionally sent to another address (a proxy in front of the server).</summary>
    public static KubernetesClientConfiguration AdminConfig(this KubeSandbox sandbox, Uri? host = null)
    {
        var config = KubernetesClientConfiguration.BuildConfigFromConfigFile(sandbox.AdminKubeconfig);
        if (host is not null) config.Host = host.ToString();
        return config;
    }

    public static async Task<Widget> CreateWidgetAsync(this IKubernetes client, Widget widget) =>
        await client.CustomObjects.CreateNamespacedCustomObjectAsync<Widget>(widget, Widget.Group, Widget.Version, widget.Metadata.NamespaceProperty, Widget.Plural);

    public static async Task<Widget> ReplaceWidgetAsync(this IKubernetes client, Widget widget) =>
        await client.CustomObjects.ReplaceNamespacedCustomObjectAsync<Widget>(widget, Widget.Group, Widget.Version, widget.Metadata.NamespaceProperty, Widget.Plural, widget.Metadata.Name);

    public static async Task<Widget> GetWidgetAsync(this IKubernetes client, string ns, string name) =>
        await client.CustomObjects.GetNamespacedCustomObjectAsync<Widget>(Widget.Group, Widget.Version, ns, Widget.Plural, name);

    public static Task DeleteWidgetAsync(this IKubernetes client, string ns, string name) =>
        client.CustomObjects.DeleteNamespacedCustomObjectAsync(Widget.Group, Widget.Version, ns, Widget.Plural, name);
}
