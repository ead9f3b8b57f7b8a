namespace JitAdmission.Cli.Model;

/// <summary>
/// One object to apply, as written in a manifest: what it is (apiVersion, kind, name, namespace when given) and the
/// document itself, sent unchanged to the API server as a server-side apply patch (YAML, or JSON, which is YAML too),
/// so the server reads its values exactly as kubectl would.
/// </summary>
internal sealed record ManifestObject(string Source, string ApiVersion, string Kind, string Name, string? Namespace, string Document)
{
    /// <summary>The API group ("" for the core group).</summary>
    public string Group => ApiVersion.Contains('/', StringComparison.Ordinal) ? ApiVersion[..ApiVersion.IndexOf('/', StringComparison.Ordinal)] : "";

    /// <summary>The version ("v1").</summary>
    public string Version => ApiVersion.Contains('/', StringComparison.Ordinal) ? ApiVersion[(ApiVersion.IndexOf('/', StringComparison.Ordinal) + 1)..] : ApiVersion;
}
