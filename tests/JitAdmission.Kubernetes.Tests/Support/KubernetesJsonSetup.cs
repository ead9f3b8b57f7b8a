using System.Runtime.CompilerServices;
using JitAdmission.Core.Api;
using k8s;

namespace JitAdmission.Kubernetes.Tests.Support;

internal static class KubernetesJsonSetup
{
    /// <summary>As the programs do first: KubernetesClient.Aot serializes our API types only once this is registered;
    /// the tests' own custom resource too.</summary>
    [ModuleInitializer]
    internal static void Register()
    {
        KubernetesJsonMetadata.Register();
        KubernetesJson.AddJsonOptions(o => o.TypeInfoResolverChain.Add(WidgetJsonContext.Default));
    }
}
