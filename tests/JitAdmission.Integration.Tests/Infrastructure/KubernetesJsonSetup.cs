using System.Runtime.CompilerServices;
using JitAdmission.Core.Api;
using JitAdmission.Kubernetes.Tests.Support;
using k8s;

namespace JitAdmission.Integration.Tests.Infrastructure;

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
