namespace JitAdmission.Cli.Kube;

/// <summary>A resource type as the API server serves it.</summary>
internal sealed record ResolvedResource(string Group, string Version, string Resource, string Kind, bool Namespaced)
{
    /// <summary>"api/v1" or "apis/GROUP/VERSION", relative to the server.</summary>
    public static string GroupVersionPath(string group, string version) =>
        group.Length == 0 ? $"api/{version}" : $"apis/{group}/{version}";

    /// <summary>The path of the collection, or of one object when <paramref name="name"/> is given.</summary>
    public string Path(string? @namespace, string? name)
    {
        var path = GroupVersionPath(Group, Version);
        if (Namespaced && @namespace is { Length: > 0 } ns) path += "/namespaces/" + Uri.EscapeDataString(ns);
        path += "/" + Resource;
        return name is { Length: > 0 } n ? path + "/" + Uri.EscapeDataString(n) : path;
    }

    /// <summary>kubectl's name for an object of this type: "configmap/web", "deployment.apps/web".</summary>
    public string ObjectRef(string name) =>
        Kind.ToLowerInvariant() + (Group.Length == 0 ? "" : "." + Group) + "/" + name;
}

/// <summary>
/// Resolves a resource type the way kubectl does (<c>deployments</c>, <c>deploy</c>, <c>deployment.apps</c>,
/// <c>Deployment</c>) through API discovery, so that a request names the group, resource and kind the webhook sees.
/// </summary>
internal static class ResourceResolver
{
    /// <summary>Splits "TYPE[.GROUP][/NAME]" into the type, the group (null when not given) and the name (null when not given).</summary>
    public static (string Type, string? Group, string? Name) Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        var name = slash >= 0 ? text[(slash + 1)..] : null;
        var type = slash >= 0 ? text[..slash] : text;
        var dot = type.IndexOf('.', StringComparison.Ordinal);
        if (dot < 0) return (type, null, name);
        var group = type[(dot + 1)..];
        // "deployments.v1.apps": the version is not needed to find the type.
        var parts = group.Split('.', 2);
        if (parts.Length == 2 && parts[0].Length > 1 && parts[0][0] == 'v' && char.IsAsciiDigit(parts[0][1])) group = parts[1];
        return (type[..dot], group, name);
    }

    public static async Task<ResolvedResource> ResolveAsync(KubeClient client, string type, string? group, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        try
        {
            if (group is null or "" or "core")
            {
                var core = await client.GetJsonAsync<V1APIResourceList>("api/v1", cancellationToken);
                if (Find(core, "", "v1", type) is { } found) return found;
                if (group is not null) throw NotFound(type, group);
            }

            var groups = await client.Apis.GetAPIVersionsAsync(cancellationToken);
            foreach (var g in groups.Groups ?? [])
            {
                if (group is { Length: > 0 } && !string.Equals(g.Name, group, StringComparison.OrdinalIgnoreCase)) continue;
                var version = g.PreferredVersion?.Version ?? g.Versions?.FirstOrDefault()?.Version;
                if (version is null) continue;
                if (Find(await GroupResourcesAsync(client, g.Name, version, cancellationToken), g.Name, version, type) is { } found) return found;
            }
        }
        catch (Exception e) when (e is not CliException && (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested))
        {
            throw new CliException($"cannot look up resource type \"{type}\" (API discovery failed): {ApiErrors.Explain(e).Message}", e);
        }

        throw NotFound(type, group);
    }

    // A group whose discovery fails (an aggregated API that is down) must not hide the others, as in kubectl.
    private static async Task<V1APIResourceList?> GroupResourcesAsync(KubeClient client, string group, string version, CancellationToken cancellationToken)
    {
        try
        {
            return await client.CustomObjects.GetAPIResourcesAsync(group, version, cancellationToken);
        }
        catch (Exception e) when (ApiErrors.Read(e) is not null)
        {
            return null;
        }
    }

    private static ResolvedResource? Find(V1APIResourceList? list, string group, string version, string type)
    {
        var match = list?.Resources?
            .Where(r => !r.Name.Contains('/', StringComparison.Ordinal))
            .FirstOrDefault(r =>
                string.Equals(r.Name, type, StringComparison.OrdinalIgnoreCase)
                || string.Equals(r.SingularName, type, StringComparison.OrdinalIgnoreCase)
                || string.Equals(r.Kind, type, StringComparison.OrdinalIgnoreCase)
                || (r.ShortNames?.Any(s => string.Equals(s, type, StringComparison.OrdinalIgnoreCase)) ?? false));
        return match is null ? null : new ResolvedResource(group, version, match.Name, match.Kind, match.Namespaced);
    }

    /// <summary>The top-level resource of <paramref name="list"/> whose kind is exactly <paramref name="kind"/>.</summary>
    public static ResolvedResource? FindKind(V1APIResourceList? list, string group, string version, string kind)
    {
        var match = list?.Resources?.FirstOrDefault(r => !r.Name.Contains('/', StringComparison.Ordinal) && r.Kind == kind);
        return match is null ? null : new ResolvedResource(group, version, match.Name, match.Kind, match.Namespaced);
    }

    /// <summary>The top-level resource of <paramref name="list"/> named exactly <paramref name="resource"/> (plural).</summary>
    public static ResolvedResource? FindResource(V1APIResourceList? list, string group, string version, string resource)
    {
        var match = list?.Resources?.FirstOrDefault(r => r.Name == resource);
        return match is null ? null : new ResolvedResource(group, version, match.Name, match.Kind, match.Namespaced);
    }

    private static CliException NotFound(string type, string? group) =>
        new($"the server has no resource type \"{type}\"{(group is { Length: > 0 } ? $" in API group \"{group}\"" : "")} (kubectl api-resources lists them)",
            ExitCodes.Usage);
}
