using System.Text.Json.Serialization;

namespace JitAdmission.Core.Api;

/// <summary>Policy <c>approval.extensions</c>: how often, and with what review, an Object or Grant approval can be extended.</summary>
public sealed class ExtensionSettings
{
    /// <summary>The upper bound of <see cref="Max"/> the policy validator accepts.</summary>
    public const int MaxAllowed = 100;

    /// <summary>How many extensions a chain may have (following <c>spec.extends</c>); 0 = none.</summary>
    [JsonPropertyName("max")] public int Max { get; set; }
    [JsonPropertyName("approval")] public ExtensionApproval Approval { get; set; } = ExtensionApproval.Required;
}

/// <summary>Whether an extension needs its own review.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ExtensionApproval>))]
public enum ExtensionApproval
{
    /// <summary>Reviewed like any request.</summary>
    Required,
    /// <summary>Approved from its creation, because the guard admitted it only as a continuation of an approved request.</summary>
    Automatic,
}
