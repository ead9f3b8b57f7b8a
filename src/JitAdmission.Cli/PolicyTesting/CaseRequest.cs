using System.Text.Json.Nodes;
using JitAdmission.Core.Admission;
using JitAdmission.Core.Matching;

namespace JitAdmission.Cli.PolicyTesting;

/// <summary>What a case says about its request, before it becomes the admission request the API server would send.</summary>
internal sealed record CaseRequestSpec
{
    public required string Operation { get; init; }
    public required string User { get; init; }
    public IReadOnlyList<string> Groups { get; init; } = [];
    /// <summary>RESOURCE[/SUBRESOURCE] as policies name it; null: from the object's kind.</summary>
    public string? Resource { get; init; }
    /// <summary>The resource's group/version; null: the built-in type's, else the object's.</summary>
    public string? ApiVersion { get; init; }
    public string? Namespace { get; init; }
    public string? Name { get; init; }
    public JsonObject? Object { get; init; }
    public JsonObject? OldObject { get; init; }
    public bool DryRun { get; init; }
}

/// <summary>
/// Builds the <see cref="AdmissionAttributes"/> the API server would send for a case, filling in what it fills in:
/// group, version and resource from the object's kind, namespace and name from the object, a Namespace's own name as
/// its namespace, and the groups every authenticated user has (<c>system:authenticated</c>; for ServiceAccounts
/// <c>system:serviceaccounts</c> and <c>system:serviceaccounts:NS</c>).
/// </summary>
internal static class CaseRequest
{
    public static AdmissionAttributes Build(CaseRequestSpec spec, string uid, Func<string, string, CliException> fail)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(fail);
        var operation = spec.Operation;
        if (operation is not (Operations.Create or Operations.Update or Operations.Delete or Operations.Connect))
            throw fail("operation", $"\"{operation}\" is not CREATE, UPDATE, DELETE or CONNECT");
        switch (operation)
        {
            case Operations.Create when spec.Object is null:
                throw fail("object", "CREATE needs the object being created");
            case Operations.Create when spec.OldObject is not null:
                throw fail("oldObject", "CREATE has no old object");
            case Operations.Update when spec.Object is null || spec.OldObject is null:
                throw fail(spec.Object is null ? "object" : "oldObject", "UPDATE needs the object and the old object (as the API server sends both)");
            case Operations.Delete when spec.Object is not null:
                throw fail("object", "DELETE has no new object: give the object being deleted as oldObject");
            case Operations.Delete when spec.OldObject is null:
                throw fail("oldObject", "DELETE needs the object being deleted");
            case Operations.Connect when spec.Resource is null:
                throw fail("resource", "CONNECT needs the subresource, e.g. pods/exec");
            case Operations.Connect when spec.OldObject is not null:
                throw fail("oldObject", "CONNECT has no old object (object holds its options, e.g. PodExecOptions)");
        }

        var main = spec.Object ?? spec.OldObject;
        var type = ResolveType(spec, main, fail);
        var subResource = spec.Resource is { } r && r.Contains('/', StringComparison.Ordinal) ? r[(r.IndexOf('/', StringComparison.Ordinal) + 1)..] : "";
        if (operation == Operations.Connect && subResource.Length == 0) throw fail("resource", "CONNECT needs the subresource, e.g. pods/exec");

        var name = spec.Name ?? Metadata(main, "name") ?? "";
        if (name.Length == 0 && (operation != Operations.Create || subResource.Length > 0))
            throw fail("objectName", $"{operation} {type.Resource}{(subResource.Length > 0 ? "/" + subResource : "")} needs the object's name (its metadata.name, or objectName)");
        var isNamespace = type.Group.Length == 0 && type.Resource == "namespaces";
        // Cluster-scoped objects have no namespace; namespaced ones without one land in "default", as kubectl's do.
        var ns = isNamespace ? name : !type.Namespaced ? "" : spec.Namespace ?? Metadata(main, "namespace") ?? "default";

        var kind = ObjectKind(main) ?? new GroupVersionKind(type.Group, type.Version, type.Kind);
        return new AdmissionAttributes
        {
            Uid = uid,
            Operation = operation,
            Resource = new GroupVersionResource(type.Group, type.Version, type.Resource),
            SubResource = subResource,
            Kind = kind,
            Namespace = ns,
            Name = name,
            UserInfo = new UserInfo(spec.User, null, Groups(spec.User, spec.Groups)),
            DryRun = spec.DryRun,
            Object = Raw(spec.Object),
            OldObject = Raw(spec.OldObject),
        };
    }

    private static ResourceType ResolveType(CaseRequestSpec spec, JsonObject? main, Func<string, string, CliException> fail)
    {
        var objectApiVersion = Field(main, "apiVersion");
        var objectKind = Field(main, "kind");
        if (spec.Resource is { } text)
        {
            var resource = text.Split('/', 2)[0];
            if (resource.Length == 0 || text.Split('/').Length > 2) throw fail("resource", $"\"{text}\" is not RESOURCE or RESOURCE/SUBRESOURCE (e.g. deployments/scale)");
            var builtin = BuiltinResources.ByResource(resource);
            var apiVersion = spec.ApiVersion ?? (builtin is null ? objectApiVersion : null);
            if (apiVersion is null && builtin is null)
                throw fail("apiVersion", $"\"{resource}\" is not a built-in resource: give its group and version (apiVersion: example.com/v1)");
            if (apiVersion is null) return builtin!;
            var (group, version) = BuiltinResources.SplitApiVersion(apiVersion);
            return new ResourceType(group, version, resource, builtin?.Kind ?? objectKind ?? "", builtin?.Namespaced ?? GivesNamespace(spec, main));
        }

        if (objectApiVersion is null || objectKind is null)
            throw fail(spec.Object is null ? "oldObject" : "object", "the object needs apiVersion and kind (or give the case's resource)");
        var type = BuiltinResources.ByKind(objectApiVersion, objectKind, GivesNamespace(spec, main));
        return spec.ApiVersion is { } explicitVersion
            ? type with { Group = BuiltinResources.SplitApiVersion(explicitVersion).Group, Version = BuiltinResources.SplitApiVersion(explicitVersion).Version }
            : type;
    }

    /// <summary>A type jit-admission cannot look up is namespaced when the case or the object names a namespace.</summary>
    private static bool GivesNamespace(CaseRequestSpec spec, JsonObject? main) => spec.Namespace is not null || Metadata(main, "namespace") is not null;

    private static List<string> Groups(string user, IReadOnlyList<string> groups)
    {
        var all = new List<string>(groups);
        void Add(string group)
        {
            if (!all.Contains(group, StringComparer.Ordinal)) all.Add(group);
        }

        if (new UserInfo(user, null, []).IsServiceAccount(out var ns, out _))
        {
            Add("system:serviceaccounts");
            Add("system:serviceaccounts:" + ns);
        }

        Add("system:authenticated");
        return all;
    }

    private static GroupVersionKind? ObjectKind(JsonObject? obj)
    {
        if (Field(obj, "apiVersion") is not { } apiVersion || Field(obj, "kind") is not { } kind) return null;
        var (group, version) = BuiltinResources.SplitApiVersion(apiVersion);
        return new GroupVersionKind(group, version, kind);
    }

    private static string? Metadata(JsonObject? obj, string field) => Field(obj?["metadata"] as JsonObject, field);

    private static string? Field(JsonObject? obj, string field) =>
        obj?[field] is JsonValue value && value.TryGetValue<string>(out var text) && text.Length > 0 ? text : null;

    private static RawObject Raw(JsonObject? obj) => obj is null ? RawObject.None : RawObject.FromJson(obj.ToJsonString());
}
