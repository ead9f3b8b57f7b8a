namespace JitAdmission.Core.Fingerprinting;

/// <summary>
/// Fields the API server (or kubectl) sets on its own. They are left out of fingerprints and change summaries so
/// that a retried identical <c>kubectl apply</c> is the same change and an approver reads only what the user changed.
/// </summary>
internal static class VolatileFields
{
    public const string LastAppliedAnnotation = "kubectl.kubernetes.io/last-applied-configuration";

    private static readonly HashSet<string> VolatileMetadata = new(StringComparer.Ordinal)
    {
        "resourceVersion", "generation", "uid", "creationTimestamp", "managedFields", "selfLink",
        "deletionTimestamp", "deletionGracePeriodSeconds",
    };

    /// <summary>Where in the object a property sits; only the first levels hold volatile fields.</summary>
    public enum Zone
    {
        Root,
        Metadata,
        Annotations,
        Other,
    }

    public static Zone Child(Zone parent, string key) => parent switch
    {
        Zone.Root when key == "metadata" => Zone.Metadata,
        Zone.Metadata when key == "annotations" => Zone.Annotations,
        _ => Zone.Other,
    };

    /// <param name="keepStatus">True for the status subresource, where the status is the change.</param>
    public static bool IsVolatile(Zone zone, string key, bool keepStatus) => zone switch
    {
        Zone.Root => key == "status" && !keepStatus,
        Zone.Metadata => VolatileMetadata.Contains(key),
        Zone.Annotations => key == LastAppliedAnnotation,
        _ => false,
    };

    public static bool KeepsStatus(string subResource) => subResource == "status";
}
