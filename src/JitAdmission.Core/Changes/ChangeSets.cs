namespace JitAdmission.Core.Changes;

/// <summary>
/// Change sets (docs/semantics.md "Change sets"): one request approving several objects, each exactly. An entry is the
/// write the gate will see — operation, resource, name and the object as the API server will store it — so its
/// fingerprint is computed from the entry and the requester alone, by the same function the gate uses.
/// </summary>
public static class ChangeSets
{
    /// <summary>Objects in one set: a release or a directory of manifests, not a cluster's worth.</summary>
    public const int MaxObjects = 50;

    /// <summary>All objects together (each at most <see cref="ProposedObject.MaxBytes"/>): the request stays well under etcd's limit.</summary>
    public const int MaxTotalBytes = 512 * 1024;

    /// <summary>The admission request an entry describes, by <paramref name="requester"/>, as the gate will see it.</summary>
    public static AdmissionAttributes Attributes(ChangeSetObject entry, string requester) => Attributes(entry, new UserInfo(requester, null, []));

    /// <summary>The write an entry describes by <paramref name="user"/>, as <paramref name="operation"/> when given (the
    /// operations an APPLY entry may arrive as) and else the entry's own.</summary>
    public static AdmissionAttributes Attributes(ChangeSetObject entry, UserInfo user, string? operation = null)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return new AdmissionAttributes
        {
            Uid = "",
            Operation = operation ?? entry.Operation,
            Resource = new GroupVersionResource(entry.Group, entry.Version, entry.Resource),
            Kind = entry.Kind is { Length: > 0 } kind ? new GroupVersionKind(entry.Group, entry.Version, kind) : null,
            Namespace = entry.Namespace ?? "",
            Name = entry.Name,
            UserInfo = user,
            Object = entry.Object is { } o ? new RawObject(System.Text.Encoding.UTF8.GetBytes(o.GetRawText())) : RawObject.None,
        };
    }

    /// <summary>The fingerprint the gate computes for the write this entry describes.</summary>
    public static string Fingerprint(ChangeSetObject entry, string requester) =>
        Fingerprinting.Fingerprint.Compute(Attributes(entry, requester));

    /// <summary>The entry of <paramref name="request"/>'s set with this fingerprint, or null.</summary>
    public static ChangeSetObject? Entry(ApprovalRequest request, string fingerprint)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.Spec.ChangeSet?.Objects.FirstOrDefault(o => o.Fingerprint.Length > 0 && o.Fingerprint == fingerprint);
    }

    /// <summary>Whether the object with this fingerprint was let through already (each object of a set is used once).</summary>
    public static bool IsUsed(ApprovalRequest request, string fingerprint)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.Status?.UsedObjects?.Contains(fingerprint, StringComparer.Ordinal) == true;
    }

    /// <summary>"UPDATE deployments prod/web" for messages.</summary>
    public static string Describe(ChangeSetObject entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var target = string.IsNullOrEmpty(entry.Namespace) ? entry.Name : $"{entry.Namespace}/{entry.Name}";
        var resource = entry.Group.Length == 0 ? entry.Resource : $"{entry.Resource}.{entry.Group}";
        return $"{entry.Operation} {resource} {target}";
    }
}
