using JitAdmission.Core.Changes;
using JitAdmission.Core.Text;

namespace JitAdmission.Core.Guard;

public static partial class RequestGuard
{
    /// <summary>
    /// A change set made by its requester (kubectl jit apply -f DIR): nothing in it is taken on trust but the objects.
    /// Each entry must describe a write of one object of the request's namespace as the API server would store it, and
    /// its fingerprint is recomputed here from the entry and the creator, so an approval of the set lets through exactly
    /// the objects approvers were shown. Secrets are refused: their values would be stored in the request.
    /// </summary>
    private static IEnumerable<string> ChangeSetErrors(ApprovalRequest created, UserInfo user)
    {
        var spec = created.Spec;
        var objects = spec.ChangeSet!.Objects;
        if (spec.Scope != ApprovalScope.Exact) yield return "a change set approves each of its objects exactly: spec.scope must be Exact";
        if (spec.BreakGlass) yield return "break-glass is for one change at a time; a change set is approved before it is applied";
        if (!string.IsNullOrEmpty(spec.Extends)) yield return "a change set cannot extend another request";
        if (objects.Count == 0) yield return "spec.changeSet.objects is empty: list the objects to approve";
        if (objects.Count > ChangeSets.MaxObjects)
            yield return $"spec.changeSet holds {objects.Count} objects, more than {ChangeSets.MaxObjects}: split the change into smaller sets";
        var total = objects.Sum(o => o.Object?.GetRawText().Length ?? 0);
        if (total > ChangeSets.MaxTotalBytes)
            yield return $"spec.changeSet's objects take {total / 1024} KiB, more than {ChangeSets.MaxTotalBytes / 1024} KiB: split the change into smaller sets";

        var home = created.Metadata?.NamespaceProperty ?? "";
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < objects.Count; i++)
        {
            var at = $"spec.changeSet.objects[{i}]";
            var entry = objects[i];
            foreach (var error in EntryErrors(entry, home))
                yield return $"{at}: {error}";
            if (!seen.Add($"{entry.Group}/{entry.Resource}/{entry.Namespace}/{entry.Name}"))
                yield return $"{at}: {TerminalText.Escape(ChangeSets.Describe(entry))} is listed twice";
        }
    }

    private static IEnumerable<string> EntryErrors(ChangeSetObject entry, string home)
    {
        if (entry.Operation is not (Operations.Create or Operations.Update))
        {
            yield return $"operation \"{TerminalText.Escape(entry.Operation)}\" is not CREATE or UPDATE (a change set creates or updates objects)";
            yield break;
        }

        if (!string.IsNullOrEmpty(entry.Group) && !NameRules.IsDnsSubdomain(entry.Group)) yield return $"group \"{TerminalText.Escape(entry.Group)}\" is not an API group";
        if (!NameRules.IsDnsLabel(entry.Version)) yield return $"version \"{TerminalText.Escape(entry.Version)}\" is not an API version";
        if (!NameRules.IsDnsLabel(entry.Resource)) yield return $"resource \"{TerminalText.Escape(entry.Resource)}\" is not a resource (plural, lower case)";
        if (!NameRules.IsDnsSubdomain(entry.Name) && !NameRules.IsPathSegmentName(entry.Name)) yield return $"name \"{TerminalText.Escape(entry.Name)}\" is not an object name";
        if ((entry.Namespace ?? "") != home)
            yield return (entry.Namespace ?? "").Length == 0
                ? "is cluster-scoped: a change set holds objects of the namespace it is created in; ask for cluster-scoped objects on their own"
                : $"is in namespace \"{TerminalText.Escape(entry.Namespace!)}\": a change set holds objects of the namespace it is created in (\"{home}\")";
        if ((entry.Group.Length == 0 && entry.Resource == "secrets") || entry.Kind == "Secret")
            yield return "is a Secret: its values would be stored in the request for everyone who reads requests; apply Secrets on their own";
        if (entry.Object is not { ValueKind: JsonValueKind.Object } obj)
        {
            yield return "object is missing: give the object as a server-side dry run returns it";
            yield break;
        }

        if (obj.GetRawText().Length > ProposedObject.MaxBytes) yield return $"object is over {ProposedObject.MaxBytes / 1024} KiB; apply it on its own";
        var apiVersion = entry.Group.Length == 0 ? entry.Version : $"{entry.Group}/{entry.Version}";
        if (Text(obj, "apiVersion") != apiVersion) yield return $"object's apiVersion is not {apiVersion}";
        if (entry.Kind is { Length: > 0 } kind && Text(obj, "kind") != kind) yield return $"object's kind is not {TerminalText.Escape(kind)}";
        var metadata = obj.TryGetProperty("metadata", out var m) && m.ValueKind == JsonValueKind.Object ? m : (JsonElement?)null;
        if (metadata is not { } meta || Text(meta, "name") != entry.Name) yield return $"object's metadata.name is not {TerminalText.Escape(entry.Name)}";
        else if (Text(meta, "namespace") is { } ns && ns != (entry.Namespace ?? "")) yield return $"object's metadata.namespace is not {TerminalText.Escape(entry.Namespace ?? "")}";
    }

    private static string? Text(JsonElement obj, string property) =>
        obj.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>Each entry's fingerprint must be the one the gate will compute for the creator's write of it.</summary>
    private static IEnumerable<string> ChangeSetFingerprintErrors(ApprovalRequest created, UserInfo user)
    {
        var objects = created.Spec.ChangeSet!.Objects;
        for (var i = 0; i < objects.Count; i++)
        {
            string expected;
            try
            {
                expected = ChangeSets.Fingerprint(objects[i], user.Username);
            }
            catch (JsonException)
            {
                continue; // reported above as a missing or malformed object
            }

            if (objects[i].Fingerprint != expected)
                yield return $"spec.changeSet.objects[{i}].fingerprint is not the fingerprint of that object written by {user.Username} "
                    + "(kubectl jit apply computes it; it must not be edited)";
        }
    }
}
