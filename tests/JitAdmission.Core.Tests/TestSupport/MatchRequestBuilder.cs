using JitAdmission.Core.Admission;

namespace JitAdmission.Core.Tests.TestSupport;

/// <summary>Builds AdmissionAttributes the way the API server fills them, with sensible defaults
/// (UPDATE of apps/v1 deployments "web" in "prod" by alice).</summary>
public sealed class MatchRequestBuilder
{
    private string _operation = "UPDATE";
    private GroupVersionResource _resource = new("apps", "v1", "deployments");
    private string _subResource = "";
    private GroupVersionKind? _kind = new("apps", "v1", "Deployment");
    private string _namespace = "prod";
    private string _name = "web";
    private UserInfo _user = new("alice", "u-alice", ["system:authenticated"]);
    private bool _dryRun;
    private RawObject _object = RawObject.None;
    private RawObject _oldObject = RawObject.None;
    private RawObject _options = RawObject.None;

    public static MatchRequestBuilder Update() => new();

    public MatchRequestBuilder Operation(string operation)
    {
        _operation = operation;
        return this;
    }

    public MatchRequestBuilder Resource(string group, string version, string resource, string subResource = "")
    {
        _resource = new GroupVersionResource(group, version, resource);
        _subResource = subResource;
        return this;
    }

    public MatchRequestBuilder Kind(string group, string version, string kind)
    {
        _kind = new GroupVersionKind(group, version, kind);
        return this;
    }

    public MatchRequestBuilder In(string @namespace)
    {
        _namespace = @namespace;
        return this;
    }

    public MatchRequestBuilder Named(string name)
    {
        _name = name;
        return this;
    }

    public MatchRequestBuilder By(string username, params string[] groups)
    {
        _user = new UserInfo(username, "uid-" + username, groups);
        return this;
    }

    public MatchRequestBuilder By(UserInfo user)
    {
        _user = user;
        return this;
    }

    public MatchRequestBuilder DryRun(bool dryRun = true)
    {
        _dryRun = dryRun;
        return this;
    }

    public MatchRequestBuilder Object(string json)
    {
        _object = RawObject.FromJson(json);
        return this;
    }

    public MatchRequestBuilder ObjectBytes(byte[] utf8)
    {
        _object = new RawObject(utf8);
        return this;
    }

    public MatchRequestBuilder OldObject(string json)
    {
        _oldObject = RawObject.FromJson(json);
        return this;
    }

    public MatchRequestBuilder Options(string json)
    {
        _options = RawObject.FromJson(json);
        return this;
    }

    /// <summary>An object with the given name and labels (and optional extra JSON members for the object root).</summary>
    public static string ObjectJson(string name, IReadOnlyDictionary<string, string>? labels = null, string extra = "")
    {
        var labelJson = labels is null ? "" : ", \"labels\": {" + string.Join(", ", labels.Select(l => $"\"{l.Key}\": \"{l.Value}\"")) + "}";
        return $"{{\"apiVersion\": \"apps/v1\", \"kind\": \"Deployment\", \"metadata\": {{\"name\": \"{name}\"{labelJson}}}{(extra.Length > 0 ? ", " + extra : "")}}}";
    }

    public AdmissionAttributes Build() => new()
    {
        Uid = "req-1",
        Operation = _operation,
        Resource = _resource,
        SubResource = _subResource,
        Kind = _kind,
        Namespace = _namespace,
        Name = _name,
        UserInfo = _user,
        DryRun = _dryRun,
        Object = _object,
        OldObject = _oldObject,
        Options = _options,
    };
}
