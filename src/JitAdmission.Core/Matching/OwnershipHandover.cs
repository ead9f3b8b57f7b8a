namespace JitAdmission.Core.Matching;

/// <summary>
/// An UPDATE that changes an object's <c>metadata.ownerReferences</c> or <c>metadata.finalizers</c> can make a
/// controller delete it: an owner reference to a missing owner hands the object to the garbage collector, and
/// finalizers decide when a terminating object goes. So a rule that gates DELETE of a resource also gates such an
/// UPDATE of it (docs/semantics.md "Matching"); the controllers that act on it are trusted, the change that hands the
/// object over is not.
/// </summary>
public static class OwnershipHandover
{
    /// <summary>A rule's DELETE stands for these UPDATEs of the main resource too.</summary>
    public static bool CanApply(string subResource, string operation) => subResource.Length == 0 && operation == Operations.Update;

    /// <summary>Whether a rule's resource pattern covers main resources (<c>deployments</c>, <c>*</c>, <c>*/*</c>): then its
    /// DELETE also gates their handover UPDATEs, which the index and the webhook rules must include.</summary>
    public static bool CoversMainResource(ResourcePattern pattern) => pattern.SubResource.Length == 0 || pattern.SubResource == ResourcePattern.Wildcard;

    /// <summary>Whether the UPDATE changes owner references or finalizers. Throws <see cref="JsonException"/> on a malformed object.</summary>
    public static bool Changes(AdmissionAttributes request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!CanApply(request.SubResource, request.Operation)) return false;
        var after = request.Object.Element;
        var before = request.OldObject.Element;
        return !SameMember(before, after, "ownerReferences") || !SameMember(before, after, "finalizers");
    }

    private static bool SameMember(JsonElement? before, JsonElement? after, string name)
    {
        var a = Member(before, name);
        var b = Member(after, name);
        return a is null || b is null ? a is null && b is null : JsonElement.DeepEquals(a.Value, b.Value);
    }

    /// <summary>The metadata member, or null when absent, null or an empty list (the API server treats them alike).</summary>
    private static JsonElement? Member(JsonElement? root, string name) =>
        root is { ValueKind: JsonValueKind.Object } r && r.TryGetProperty("metadata", out var metadata) && metadata.ValueKind == JsonValueKind.Object
            && metadata.TryGetProperty(name, out var value) && value.ValueKind is not JsonValueKind.Null
            && !(value.ValueKind == JsonValueKind.Array && value.GetArrayLength() == 0)
            ? value
            : null;
}
