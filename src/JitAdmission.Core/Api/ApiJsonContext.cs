using System.Text.Json.Serialization;
using k8s;

namespace JitAdmission.Core.Api;

/// <summary>
/// Compile-time JSON metadata for our API types. KubernetesClient brings its own for the built-in kinds; ours must be
/// added, or a Native AOT build (where reflection cannot create generic converters) cannot read ApprovalRequests.
/// </summary>
[JsonSerializable(typeof(ApprovalPolicy))]
[JsonSerializable(typeof(ApprovalPolicyList))]
[JsonSerializable(typeof(ApprovalRequest))]
[JsonSerializable(typeof(ApprovalRequestList))]
public sealed partial class ApiJsonContext : JsonSerializerContext
{
    private static readonly Lock Gate = new();
    private static bool _registered;

    /// <summary>
    /// Puts this metadata first in KubernetesClient's shared serializer options, which every API call and
    /// <see cref="KubernetesJson"/> use. Call before the first serialization: the options freeze on first use.
    /// </summary>
    public static void Register()
    {
        lock (Gate)
        {
            if (_registered) return;
            KubernetesJson.AddJsonOptions(o => o.TypeInfoResolverChain.Insert(0, Default));
            _registered = true;
        }
    }
}
