using System.Runtime.InteropServices;
using System.Text.Json;
using JitAdmission.Core.Admission;

namespace JitAdmission.Webhook.Tests.Review;

/// <summary>
/// What an AdmissionReview says, as plain strings, so the fast reader's result and the reference's compare with
/// record equality.
/// </summary>
internal sealed record ReviewSnapshot(
    string Uid, string Operation, string Resource, string SubResource, string? Kind, string Namespace, string Name,
    string Username, string? UserUid, string Groups, string Extra, bool DryRun, string Object, string OldObject, string Options)
{
    public static ReviewSnapshot Of(AdmissionAttributes a) => new(
        a.Uid, a.Operation, $"{a.Resource.Group}|{a.Resource.Version}|{a.Resource.Resource}", a.SubResource,
        a.Kind is null ? null : $"{a.Kind.Group}|{a.Kind.Version}|{a.Kind.Kind}", a.Namespace, a.Name,
        a.UserInfo.Username, a.UserInfo.Uid, Join(a.UserInfo.Groups),
        string.Join("\u0002", a.UserInfo.Extra.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => e.Key + "\u0003" + Join(e.Value))),
        a.DryRun, Text(a.Object), Text(a.OldObject), Text(a.Options));

    public static string Join(IEnumerable<string> values) => string.Join("\u0001", values);

    /// <summary>An object's exact bytes (base64): they are compared, not decoded, since objects are checked when used.</summary>
    private static string Text(RawObject o) => o.IsPresent ? Convert.ToBase64String(o.Utf8.Span) : "";
}

/// <summary>
/// The AdmissionReview rules read the slow, obvious way: System.Text.Json's DOM, one field at a time. The differential
/// tests hold the one-pass reader to this for every input without duplicate keys.
/// </summary>
internal static class ReferenceReview
{
    private static readonly HashSet<string> Operations = new(["CREATE", "UPDATE", "DELETE", "CONNECT"], StringComparer.Ordinal);

    /// <summary>The review's content, or null when it must be refused (a field it reads holding invalid UTF-8 included).</summary>
    public static ReviewSnapshot? Read(JsonElement root)
    {
        try
        {
            return ReadValid(root);
        }
        catch (InvalidOperationException)
        {
            // System.Text.Json checks a string's UTF-8 when it is read, not when the document is parsed.
            return null;
        }
    }

    private static ReviewSnapshot? ReadValid(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object) return null;
        if (!Str(root, "apiVersion", out var apiVersion) || apiVersion != "admission.k8s.io/v1") return null;
        if (!Str(root, "kind", out var kind) || kind != "AdmissionReview") return null;
        if (!root.TryGetProperty("request", out var request) || request.ValueKind != JsonValueKind.Object) return null;

        if (!Str(request, "uid", out var uid) || string.IsNullOrEmpty(uid)) return null;
        if (!Str(request, "operation", out var operation) || operation is null || !Operations.Contains(operation)) return null;
        if (!GroupVersion(request, "resource", "resource", out var resource) || resource is null || resource[2].Length == 0) return null;
        if (!GroupVersion(request, "kind", "kind", out var gvk)) return null;
        if (!Str(request, "subResource", out var subResource) || !Str(request, "name", out var name) || !Str(request, "namespace", out var ns)) return null;
        if (!UserInfo(request, out var user) || user is null) return null;
        if (!DryRun(request, out var dryRun)) return null;
        if (!Raw(request, "object", out var obj) || !Raw(request, "oldObject", out var oldObj) || !Raw(request, "options", out var options)) return null;

        return new ReviewSnapshot(uid, operation, string.Join('|', resource), subResource ?? "", gvk is null ? null : string.Join('|', gvk), ns ?? "", name ?? "",
            user.Value.Username, user.Value.Uid, user.Value.Groups, user.Value.Extra, dryRun, obj, oldObj, options);
    }

    /// <summary>Deepest nesting of objects and arrays (the root container counts 1).</summary>
    public static int Depth(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Object => 1 + e.EnumerateObject().Select(p => Depth(p.Value)).DefaultIfEmpty(0).Max(),
        JsonValueKind.Array => 1 + e.EnumerateArray().Select(Depth).DefaultIfEmpty(0).Max(),
        _ => 0,
    };

    private static readonly string[] ReviewFields = ["apiVersion", "kind", "request"];
    private static readonly string[] RequestFields =
        ["uid", "operation", "resource", "subResource", "kind", "name", "namespace", "userInfo", "dryRun", "object", "oldObject", "options"];
    private static readonly string[] UserFields = ["username", "uid", "groups", "extra"];

    /// <summary>Whether a field the reader reads (the review's, the request's, userInfo's, resource's, kind's) is given twice.</summary>
    public static bool RepeatsAReadField(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object) return false;
        if (Repeats(root, ReviewFields)) return true;
        if (!root.TryGetProperty("request", out var request) || request.ValueKind != JsonValueKind.Object) return false;
        if (Repeats(request, RequestFields)) return true;
        return (request.TryGetProperty("userInfo", out var user) && Repeats(user, UserFields))
            || (request.TryGetProperty("resource", out var resource) && Repeats(resource, ["group", "version", "resource"]))
            || (request.TryGetProperty("kind", out var kind) && Repeats(kind, ["group", "version", "kind"]));
    }

    private static bool Repeats(JsonElement o, string[] names) =>
        o.ValueKind == JsonValueKind.Object
        && o.EnumerateObject().Where(p => names.Contains(p.Name, StringComparer.Ordinal)).GroupBy(p => p.Name, StringComparer.Ordinal).Any(g => g.Count() > 1);

    /// <summary>Whether any object anywhere repeats a property name (the API server never sends one).</summary>
    public static bool HasDuplicateKeys(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Object => e.EnumerateObject().GroupBy(p => p.Name, StringComparer.Ordinal).Any(g => g.Count() > 1)
            || e.EnumerateObject().Any(p => HasDuplicateKeys(p.Value)),
        JsonValueKind.Array => e.EnumerateArray().Any(HasDuplicateKeys),
        _ => false,
    };

    /// <summary>A string field: absent or null gives null; any other type is an error (false).</summary>
    private static bool Str(JsonElement parent, string name, out string? value)
    {
        value = null;
        if (!parent.TryGetProperty(name, out var e) || e.ValueKind == JsonValueKind.Null) return true;
        if (e.ValueKind != JsonValueKind.String) return false;
        value = e.GetString();
        return true;
    }

    private static bool GroupVersion(JsonElement parent, string field, string nameField, out string[]? value)
    {
        value = null;
        if (!parent.TryGetProperty(field, out var e) || e.ValueKind == JsonValueKind.Null) return true;
        if (e.ValueKind != JsonValueKind.Object) return false;
        if (!Str(e, "group", out var group) || !Str(e, "version", out var version) || !Str(e, nameField, out var name)) return false;
        value = [group ?? "", version ?? "", name ?? ""];
        return true;
    }

    private static bool UserInfo(JsonElement request, out (string Username, string? Uid, string Groups, string Extra)? user)
    {
        user = null;
        if (!request.TryGetProperty("userInfo", out var e) || e.ValueKind == JsonValueKind.Null) return true;
        if (e.ValueKind != JsonValueKind.Object) return false;
        if (!Str(e, "username", out var username) || !Str(e, "uid", out var uid) || !Strings(e, "groups", out var groups)) return false;
        // A key given twice in extra: the last copy counts (any copy of the wrong type refuses the review).
        var extra = new Dictionary<string, string>(StringComparer.Ordinal);
        if (e.TryGetProperty("extra", out var x) && x.ValueKind != JsonValueKind.Null)
        {
            if (x.ValueKind != JsonValueKind.Object) return false;
            foreach (var p in x.EnumerateObject())
            {
                if (!StringArray(p.Value, out var values)) return false;
                extra[p.Name] = ReviewSnapshot.Join(values);
            }
        }

        user = (username ?? "", uid, ReviewSnapshot.Join(groups),
            string.Join("\u0002", extra.OrderBy(x => x.Key, StringComparer.Ordinal).Select(x => x.Key + "\u0003" + x.Value)));
        return true;
    }

    private static bool Strings(JsonElement parent, string name, out List<string> values)
    {
        values = [];
        return !parent.TryGetProperty(name, out var e) || StringArray(e, out values);
    }

    /// <summary>An array of strings, or null for none.</summary>
    private static bool StringArray(JsonElement e, out List<string> values)
    {
        values = [];
        if (e.ValueKind == JsonValueKind.Null) return true;
        if (e.ValueKind != JsonValueKind.Array) return false;
        foreach (var item in e.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String) return false;
            values.Add(item.GetString()!);
        }

        return true;
    }

    private static bool DryRun(JsonElement request, out bool dryRun)
    {
        dryRun = false;
        if (!request.TryGetProperty("dryRun", out var e)) return true;
        dryRun = e.ValueKind == JsonValueKind.True;
        return e.ValueKind is JsonValueKind.True or JsonValueKind.False or JsonValueKind.Null;
    }

    private static bool Raw(JsonElement request, string name, out string text)
    {
        text = "";
        if (!request.TryGetProperty(name, out var e) || e.ValueKind == JsonValueKind.Null) return true;
        if (e.ValueKind != JsonValueKind.Object) return false;
        text = Convert.ToBase64String(JsonMarshal.GetRawUtf8Value(e));
        return true;
    }
}
