using System.Text;
using System.Text.Json;

namespace JitAdmission.Webhook.Tests.Infrastructure;

/// <summary>
/// Builds AdmissionReview JSON as the API server sends it (field order included). Objects are raw JSON text,
/// written unvalidated, so tests can embed objects System.Text.Json itself would refuse to parse.
/// <see cref="Set"/> and <see cref="Remove"/> bend any request field for negative cases.
/// </summary>
public sealed class AdmissionReviewBuilder
{
    private readonly Dictionary<string, string?> _overrides = new(StringComparer.Ordinal);
    private readonly HashSet<string> _removed = new(StringComparer.Ordinal);
    private string _apiVersion = "admission.k8s.io/v1";
    private string _kind = "AdmissionReview";
    private string _operation = "CREATE";
    private string _group = "apps";
    private string _version = "v1";
    private string _resource = "deployments";
    private string _kindName = "Deployment";
    private string _subResource = "";
    private string _namespace = "default";
    private string _name = "web";
    private string _username = "alice";
    private string[] _groups = ["dev", "system:authenticated"];
    private string? _object;
    private string? _oldObject;
    private string? _options;
    private bool _dryRun;

    public string Uid { get; private set; } = Guid.NewGuid().ToString();

    public static AdmissionReviewBuilder Create(string name = "web") =>
        new AdmissionReviewBuilder { _operation = "CREATE", _name = name }
            .WithObject(Deployment(name, replicas: 1))
            .WithOptions("""{"kind":"CreateOptions","apiVersion":"meta.k8s.io/v1","fieldManager":"kubectl-client-side-apply"}""");

    public static AdmissionReviewBuilder Update(string name = "web") =>
        new AdmissionReviewBuilder { _operation = "UPDATE", _name = name }
            .WithObject(Deployment(name, replicas: 3))
            .WithOldObject(Deployment(name, replicas: 1))
            .WithOptions("""{"kind":"UpdateOptions","apiVersion":"meta.k8s.io/v1"}""");

    public static AdmissionReviewBuilder Delete(string name = "web") =>
        new AdmissionReviewBuilder { _operation = "DELETE", _name = name }
            .WithOldObject(Deployment(name, replicas: 1))
            .WithOptions("""{"kind":"DeleteOptions","apiVersion":"meta.k8s.io/v1","propagationPolicy":"Background"}""");

    public static AdmissionReviewBuilder Connect(string pod = "web-0") =>
        new AdmissionReviewBuilder
        {
            _operation = "CONNECT", _group = "", _version = "v1", _resource = "pods", _subResource = "exec",
            _kindName = "PodExecOptions", _name = pod,
        }
        .WithObject("""{"kind":"PodExecOptions","apiVersion":"v1","stdin":true,"tty":true,"container":"app","command":["sh"]}""")
        .WithOptions("""{"kind":"PodExecOptions","apiVersion":"v1","stdin":true,"tty":true,"container":"app","command":["sh"]}""");

    public static string Deployment(string name, int replicas) =>
        $$$"""{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"{{{name}}}","namespace":"default","labels":{"app":"{{{name}}}"}},"spec":{"replicas":{{{replicas}}}}}""";

    public AdmissionReviewBuilder WithUid(string uid)
    {
        Uid = uid;
        return this;
    }

    public AdmissionReviewBuilder WithApiVersion(string apiVersion)
    {
        _apiVersion = apiVersion;
        return this;
    }

    public AdmissionReviewBuilder WithReviewKind(string kind)
    {
        _kind = kind;
        return this;
    }

    public AdmissionReviewBuilder WithResource(string group, string version, string resource, string subResource = "")
    {
        (_group, _version, _resource, _subResource) = (group, version, resource, subResource);
        return this;
    }

    public AdmissionReviewBuilder InNamespace(string ns)
    {
        _namespace = ns;
        return this;
    }

    public AdmissionReviewBuilder WithUser(string username, params string[] groups)
    {
        _username = username;
        _groups = groups;
        return this;
    }

    public AdmissionReviewBuilder WithObject(string? json)
    {
        _object = json;
        return this;
    }

    public AdmissionReviewBuilder WithOldObject(string? json)
    {
        _oldObject = json;
        return this;
    }

    public AdmissionReviewBuilder WithOptions(string? json)
    {
        _options = json;
        return this;
    }

    public AdmissionReviewBuilder AsDryRun()
    {
        _dryRun = true;
        return this;
    }

    /// <summary>Replaces request field <paramref name="field"/> with raw JSON (added at the end when new).</summary>
    public AdmissionReviewBuilder Set(string field, string rawJson)
    {
        _overrides[field] = rawJson;
        return this;
    }

    public AdmissionReviewBuilder Remove(string field)
    {
        _removed.Add(field);
        return this;
    }

    public string Build() => Encoding.UTF8.GetString(BuildUtf8());

    public byte[] BuildUtf8()
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream))
        {
            json.WriteStartObject();
            if (!_removed.Contains("$kind")) json.WriteString("kind", _kind);
            if (!_removed.Contains("$apiVersion")) json.WriteString("apiVersion", _apiVersion);
            if (!_removed.Contains("$request"))
            {
                json.WritePropertyName("request");
                if (_overrides.TryGetValue("$request", out var request)) json.WriteRawValue(request!, skipInputValidation: true);
                else WriteRequest(json);
            }

            json.WriteEndObject();
        }

        return stream.ToArray();
    }

    private void WriteRequest(Utf8JsonWriter json)
    {
        var fields = new List<(string Name, string Raw)>
        {
            ("uid", Quote(Uid)),
            ("kind", Obj(("group", _group), ("version", _version), ("kind", _kindName))),
            ("resource", Obj(("group", _group), ("version", _version), ("resource", _resource))),
            ("requestKind", Obj(("group", _group), ("version", _version), ("kind", _kindName))),
            ("requestResource", Obj(("group", _group), ("version", _version), ("resource", _resource))),
            ("name", Quote(_name)),
            ("namespace", Quote(_namespace)),
            ("operation", Quote(_operation)),
            ("userInfo", $$$"""{"username":{{{Quote(_username)}}},"uid":"u-1","groups":[{{{string.Join(",", _groups.Select(Quote))}}}],"extra":{"scopes.example.com":["read","write"]}}"""),
            ("object", _object ?? "null"),
            ("oldObject", _oldObject ?? "null"),
            ("dryRun", _dryRun ? "true" : "false"),
            ("options", _options ?? "null"),
        };
        if (_subResource.Length > 0) fields.Insert(3, ("subResource", Quote(_subResource)));

        json.WriteStartObject();
        foreach (var (name, raw) in fields)
        {
            if (_removed.Contains(name)) continue;
            json.WritePropertyName(name);
            json.WriteRawValue(_overrides.Remove(name, out var replaced) ? replaced! : raw, skipInputValidation: true);
        }

        foreach (var (name, raw) in _overrides)
        {
            if (name.StartsWith('$')) continue;
            json.WritePropertyName(name);
            json.WriteRawValue(raw!, skipInputValidation: true);
        }

        json.WriteEndObject();
    }

    private static string Quote(string value) => JsonSerializer.Serialize(value);

    private static string Obj(params (string Key, string Value)[] pairs) =>
        "{" + string.Join(",", pairs.Select(p => Quote(p.Key) + ":" + Quote(p.Value))) + "}";
}
