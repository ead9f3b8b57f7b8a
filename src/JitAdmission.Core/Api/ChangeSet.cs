using System.Text.Json.Serialization;

namespace JitAdmission.Core.Api;

/// <summary>
/// Request <c>spec.changeSet</c>: several objects approved together (docs/semantics.md "Change sets"). Coverage stays
/// exact per object: each entry's fingerprint is recomputed by the guard from the entry alone and the requester, and
/// each entry can be used once.
/// </summary>
public sealed class ChangeSet
{
    /// <summary>The Helm release revision the set is (written by jit-admission from the release record); absent otherwise.</summary>
    [JsonPropertyName("helm")] public HelmReleaseRef? Helm { get; set; }
    [JsonPropertyName("objects")] public List<ChangeSetObject> Objects { get; set; } = [];
}

/// <summary>Which Helm release revision a change set approves.</summary>
public sealed class HelmReleaseRef
{
    [JsonPropertyName("release")] public string Release { get; set; } = "";
    [JsonPropertyName("namespace")] public string Namespace { get; set; } = "";
    [JsonPropertyName("revision")] public int Revision { get; set; }
}

/// <summary>One object of a change set: the write and the object as the API server will store it (a server-side dry run).</summary>
public sealed class ChangeSetObject
{
    /// <summary>CREATE or UPDATE; APPLY for an object of a Helm release (a server-side apply of exactly <see cref="Object"/>).</summary>
    [JsonPropertyName("operation")] public string Operation { get; set; } = "";
    [JsonPropertyName("group")] public string Group { get; set; } = "";
    [JsonPropertyName("version")] public string Version { get; set; } = "";
    [JsonPropertyName("resource")] public string Resource { get; set; } = "";
    [JsonPropertyName("kind")] public string? Kind { get; set; }
    [JsonPropertyName("namespace")] public string? Namespace { get; set; }
    [JsonPropertyName("name")] public string Name { get; set; } = "";
    /// <summary>sha256 of the write as the gate will see it (the guard checks it against the object and the requester); for
    /// APPLY, of the entry itself (it names the entry in <c>status.usedObjects</c>).</summary>
    [JsonPropertyName("fingerprint")] public string Fingerprint { get; set; } = "";
    /// <summary>The object as the API server will store it; what the approval lets through.</summary>
    [JsonPropertyName("object")] public System.Text.Json.JsonElement? Object { get; set; }
}
