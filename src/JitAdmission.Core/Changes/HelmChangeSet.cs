using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace JitAdmission.Core.Changes;

/// <summary>
/// The change set of a Helm release revision (docs/semantics.md "Helm releases"): the objects of its manifest as Helm 4
/// applies them — server-side, with the release annotations and the managed-by label Helm adds — one entry each, and
/// the digest that names the revision's content for retries (a new attempt of the same chart and values is the same set).
/// </summary>
public static class HelmChangeSet
{
    public const string ReleaseNameAnnotation = "meta.helm.sh/release-name";
    public const string ReleaseNamespaceAnnotation = "meta.helm.sh/release-namespace";
    public const string ManagedByLabel = "app.kubernetes.io/managed-by";

    /// <summary>Built-in kinds that are not namespaced: never in a set (a set holds its namespace's objects).</summary>
    private static readonly HashSet<string> ClusterScopedKinds = new(StringComparer.Ordinal)
    {
        "Namespace", "Node", "PersistentVolume", "ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition", "PriorityClass",
        "StorageClass", "IngressClass", "RuntimeClass", "CSIDriver", "CSINode", "APIService", "MutatingWebhookConfiguration",
        "ValidatingWebhookConfiguration", "ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding", "VolumeAttachment",
        "CertificateSigningRequest", "FlowSchema", "PriorityLevelConfiguration",
    };

    /// <summary>
    /// One entry per namespaced manifest object (in the release's namespace unless the manifest names another), as Helm
    /// applies it; <see cref="ChangeSetObject.Fingerprint"/> digests the entry and the requester.
    /// </summary>
    public static List<ChangeSetObject> Entries(HelmRelease release, string requester)
    {
        ArgumentNullException.ThrowIfNull(release);
        var entries = new List<ChangeSetObject>();
        foreach (var manifest in release.Objects)
        {
            var apiVersion = Text(manifest, "apiVersion") ?? "";
            var kind = Text(manifest, "kind") ?? "";
            var metadata = manifest["metadata"] as JsonObject;
            var name = Text(metadata, "name") ?? "";
            // Secrets stay out: their values would be stored in the request; a gated Secret is asked for on its own.
            if (apiVersion.Length == 0 || kind.Length == 0 || name.Length == 0 || ClusterScopedKinds.Contains(kind) || (kind == "Secret" && apiVersion == "v1")) continue;
            var ns = Text(metadata, "namespace") ?? release.Namespace;
            var slash = apiVersion.IndexOf('/', StringComparison.Ordinal);
            var entry = new ChangeSetObject
            {
                Operation = "APPLY",
                Group = slash < 0 ? "" : apiVersion[..slash],
                Version = slash < 0 ? apiVersion : apiVersion[(slash + 1)..],
                Resource = GuessResource(kind),
                Kind = kind,
                Namespace = ns,
                Name = name,
                Object = AsApplied(manifest, release),
            };
            entry.Fingerprint = ChangeSets.Fingerprint(entry, requester);
            entries.Add(entry);
        }

        return entries;
    }

    private static string? Text(JsonObject? obj, string key) =>
        obj?[key] is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : null;

    /// <summary>The manifest object as Helm sends it: the release annotations and managed-by label added.</summary>
    private static JsonElement AsApplied(JsonObject manifest, HelmRelease release)
    {
        var copy = (JsonObject)manifest.DeepClone();
        var metadata = copy["metadata"] as JsonObject ?? [];
        copy["metadata"] = metadata;
        var annotations = metadata["annotations"] as JsonObject ?? [];
        metadata["annotations"] = annotations;
        annotations[ReleaseNameAnnotation] = release.Name;
        annotations[ReleaseNamespaceAnnotation] = release.Namespace;
        var labels = metadata["labels"] as JsonObject ?? [];
        metadata["labels"] = labels;
        labels[ManagedByLabel] = "Helm";
        return JsonDocument.Parse(copy.ToJsonString()).RootElement.Clone();
    }

    /// <summary>
    /// The resource of a kind as Kubernetes guesses it without discovery (lower case, plural: "ies" after a consonant
    /// and y, "es" after s/x/z/ch/sh). A kind it guesses wrong is simply not in the set: its write is gated on its own.
    /// </summary>
    public static string GuessResource(string kind)
    {
        ArgumentNullException.ThrowIfNull(kind);
        var lower = kind.ToLowerInvariant();
        if (lower == "endpoints") return lower;
        if (lower.EndsWith('y') && lower.Length > 1 && !"aeiou".Contains(lower[^2], StringComparison.Ordinal)) return lower[..^1] + "ies";
        if (lower.EndsWith('s') || lower.EndsWith('x') || lower.EndsWith('z') || lower.EndsWith("ch", StringComparison.Ordinal) || lower.EndsWith("sh", StringComparison.Ordinal))
            return lower + "es";
        return lower + "s";
    }

    /// <summary>The digest naming a revision's content for this requester: the release and its entries, in any order.</summary>
    public static string Digest(HelmRelease release, IEnumerable<ChangeSetObject> entries)
    {
        ArgumentNullException.ThrowIfNull(release);
        var text = string.Join("\n", [release.Namespace, release.Name, .. entries.Select(e => e.Fingerprint).Order(StringComparer.Ordinal)]);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }

    /// <summary>What <see cref="Mismatch"/> says of an entry for another object.</summary>
    public const string AnotherObject = "another object";

    /// <summary>Null when the write applies exactly the entry's object to the entry's object; else why not.</summary>
    public static string? Mismatch(ChangeSetObject entry, AdmissionAttributes write)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(write);
        if (write.Operation is not (Operations.Create or Operations.Update) || write.SubResource.Length > 0) return "not a create or update of the object";
        if (entry.Group != write.Resource.Group || entry.Resource != write.Resource.Resource || (entry.Namespace ?? "") != write.Namespace || entry.Name != write.Name)
            return AnotherObject;
        if (entry.Object is not { } expected || write.Object.Element is not { } written) return "no object";
        return AppliedFields.Mismatch(written, write.OldObject.Element, JsonNode.Parse(expected.GetRawText())!.AsObject());
    }
}
