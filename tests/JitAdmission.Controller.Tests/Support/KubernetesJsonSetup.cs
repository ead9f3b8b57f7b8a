using System.Runtime.CompilerServices;
using JitAdmission.Core.Api;

namespace JitAdmission.Controller.Tests.Support;

internal static class KubernetesJsonSetup
{
    /// <summary>As the programs do first: KubernetesClient.Aot serializes our API types only once this is registered.</summary>
    [ModuleInitializer]
    internal static void Register() => KubernetesJsonMetadata.Register();
}
