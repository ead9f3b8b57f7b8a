namespace JitAdmission.Cli.Kube;

/// <summary>
/// The API call the plugin made, as RBAC sees it (verb, group, resource, namespace, name): read back from the request's
/// method and path, which the plugin built itself, so that a refusal can say what permission was missing.
/// </summary>
internal sealed record ApiCall(string Verb, string Group, string Resource, string? SubResource, string? Namespace, string? Name)
{
    /// <summary>The call behind <paramref name="method"/> and <paramref name="uri"/>; null when the path is not a resource path.</summary>
    public static ApiCall? From(string method, Uri? uri)
    {
        ArgumentNullException.ThrowIfNull(method);
        if (uri is null || !uri.IsAbsoluteUri) return null;
        var segments = uri.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries).Select(Uri.UnescapeDataString).ToList();
        // A server URL may carry a prefix (a proxy's /k8s/clusters/c-1): the API path starts at "api" or "apis".
        var start = segments.FindIndex(s => s is "api" or "apis");
        if (start < 0) return null;
        var rest = segments[(start + (segments[start] == "api" ? 2 : 3))..];
        if (start + (segments[start] == "api" ? 2 : 3) > segments.Count || rest.Count == 0) return null;
        var group = segments[start] == "api" ? "" : segments[start + 1];

        string? ns = null;
        if (rest is ["namespaces", var n, _, ..])
        {
            ns = n;
            rest = rest[2..];
        }

        var name = rest.Count > 1 ? rest[1] : null;
        var sub = rest.Count > 2 ? string.Join('/', rest.Skip(2)) : null;
        return new ApiCall(VerbOf(method, name, uri.Query), group, rest[0], sub, ns, name);
    }

    /// <summary>"deployments.apps", "configmaps", "pods/exec".</summary>
    public string QualifiedResource =>
        (Group.Length == 0 ? Resource : $"{Resource}.{Group}") + (SubResource is { Length: > 0 } s ? "/" + s : "");

    private static string VerbOf(string method, string? name, string query) => method.ToUpperInvariant() switch
    {
        "GET" when name is null && IsWatch(query) => "watch",
        "GET" when name is null => "list",
        "GET" => "get",
        "POST" => "create",
        "PUT" => "update",
        "PATCH" => "patch",
        "DELETE" when name is null => "deletecollection",
        "DELETE" => "delete",
        _ => method.ToLowerInvariant(),
    };

    private static bool IsWatch(string query) =>
        query.TrimStart('?').Split('&').Any(p => p is "watch=true" or "watch=1");
}
