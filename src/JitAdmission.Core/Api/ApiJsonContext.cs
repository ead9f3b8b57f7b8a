using System.Text.Json.Serialization;

namespace JitAdmission.Core.Api;

/// <summary>
/// Compile-time JSON metadata for our API types (registered by <see cref="KubernetesJsonMetadata"/>). KubernetesClient brings
/// its own for the built-in kinds; without ours a Native AOT build, where reflection cannot create generic
/// converters, could not read an ApprovalRequest.
/// </summary>
[JsonSerializable(typeof(ApprovalPolicy))]
[JsonSerializable(typeof(ApprovalPolicyList))]
[JsonSerializable(typeof(ApprovalRequest))]
[JsonSerializable(typeof(ApprovalRequestList))]
public sealed partial class ApiJsonContext : JsonSerializerContext;
