namespace JitAdmission.Core.Admission;

public sealed record GroupVersionResource(string Group, string Version, string Resource)
{
    public override string ToString() => Group.Length == 0 ? $"{Version}/{Resource}" : $"{Group}/{Version}/{Resource}";
}

public sealed record GroupVersionKind(string Group, string Version, string Kind);

/// <summary>The authenticated user of an admission request (AdmissionReview <c>request.userInfo</c>).</summary>
public sealed record UserInfo(string Username, string? Uid, IReadOnlyList<string> Groups)
{
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Extra { get; init; } = EmptyExtra;

    private static readonly IReadOnlyDictionary<string, IReadOnlyList<string>> EmptyExtra =
        new Dictionary<string, IReadOnlyList<string>>();

    public bool IsServiceAccount(out string @namespace, out string name)
    {
        // system:serviceaccount:NAMESPACE:NAME
        const string prefix = "system:serviceaccount:";
        @namespace = name = "";
        if (!Username.StartsWith(prefix, StringComparison.Ordinal)) return false;
        var rest = Username.AsSpan(prefix.Length);
        var colon = rest.IndexOf(':');
        if (colon <= 0 || colon == rest.Length - 1) return false;
        @namespace = rest[..colon].ToString();
        name = rest[(colon + 1)..].ToString();
        return true;
    }
}

/// <summary>
/// One admission request as the API server described it. Objects stay raw JSON until a policy needs them,
/// so that requests no policy matches are answered without materialising the object.
/// </summary>
public sealed class AdmissionAttributes
{
    public required string Uid { get; init; }
    /// <summary>CREATE, UPDATE, DELETE or CONNECT.</summary>
    public required string Operation { get; init; }
    public required GroupVersionResource Resource { get; init; }
    /// <summary>Empty when the request is for the main resource.</summary>
    public string SubResource { get; init; } = "";
    public GroupVersionKind? Kind { get; init; }
    /// <summary>Empty for cluster-scoped objects.</summary>
    public string Namespace { get; init; } = "";
    /// <summary>May be empty on CREATE with generateName.</summary>
    public string Name { get; init; } = "";
    public required UserInfo UserInfo { get; init; }
    public bool DryRun { get; init; }
    /// <summary>The new object; absent on DELETE. For CONNECT, the options object (e.g. PodExecOptions).</summary>
    public RawObject Object { get; init; } = RawObject.None;
    /// <summary>The existing object on UPDATE and DELETE.</summary>
    public RawObject OldObject { get; init; } = RawObject.None;
    /// <summary>CreateOptions, UpdateOptions, DeleteOptions or the CONNECT options.</summary>
    public RawObject Options { get; init; } = RawObject.None;

    /// <summary>"deployments" or "deployments/scale", as policies name resources.</summary>
    public string ResourceWithSubresource =>
        SubResource.Length == 0 ? Resource.Resource : Resource.Resource + "/" + SubResource;
}
