using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace JitAdmission.Webhook.Tests.Review;

/// <summary>
/// Generates AdmissionReview bodies for the differential tests: reviews shaped like the API server's (random field
/// order, whitespace, escapes, big numbers, unknown fields), then bent by one structural mutation (a field removed,
/// nulled, of the wrong type, repeated, nested deep) or by bytes flipped, inserted, deleted or cut.
/// </summary>
internal sealed class ReviewFuzz(int seed)
{
    private readonly Random _r = new(seed);

    /// <summary>A JSON value as a tree that can hold what System.Text.Json's nodes cannot: repeated keys, raw numbers.</summary>
    private abstract record J;

    private sealed record JObject(List<(string Key, J Value)> Fields) : J;

    private sealed record JArray(List<J> Items) : J;

    private sealed record JRaw(string Text) : J;

    private sealed record JString(string Value) : J;

    private static readonly string[] Texts =
    [
        "", "a", "web", "prod", "kube-system", "alice", "system:serviceaccount:ns:sa", "system:masters", "ünïcødé", "日本語",
        "emoji 😀", "quote \" backslash \\", "ctl \u0001\u001f\t\n", "nul \u0000", "</script>", "a\u2028b", "+ - & ' <>",
        "CREATE", "UPDATE", "DELETE", "CONNECT", "create", "admission.k8s.io/v1", "AdmissionReview", new string('x', 300),
    ];

    private static readonly string[] Numbers =
    [
        "0", "-0", "1", "-1", "3", "1.5", "1e3", "1E-7", "-2.5e+300", "1e400", "123456789012345678901234567890",
        "-0.000000000000000000001", "9223372036854775808", "0.1e-400",
    ];

    private static readonly string[] Operations = ["CREATE", "UPDATE", "DELETE", "CONNECT"];

    /// <summary>One case: a review as the API server would send it, or bent one way.</summary>
    public byte[] Next()
    {
        var review = Review();
        switch (_r.Next(10))
        {
            case 0: case 1: case 2: break;
            case 3: case 4: Bend(review); break;
            case 5: Repeat(review); break;
            case 6: Deepen(review); break;
            default:
                return MutateBytes(Write(review));
        }

        return Write(review);
    }

    private JObject Review()
    {
        var request = Obj(
            ("uid", Str(_r.Next(8) == 0 ? Pick(Texts) : Guid.NewGuid().ToString())),
            ("kind", Obj(("group", Str("apps")), ("version", Str("v1")), ("kind", Str("Deployment")))),
            ("resource", Obj(("group", Str(Pick(["", "apps", "jitadmission.io"]))), ("version", Str("v1")), ("resource", Str(Pick(["deployments", "pods", "secrets", "configmaps"]))))),
            ("requestKind", Obj(("group", Str("apps")), ("version", Str("v1")), ("kind", Str("Deployment")))),
            ("name", Str(Pick(Texts))),
            ("namespace", Str(Pick(Texts))),
            ("operation", Str(Pick(Operations))),
            ("userInfo", Obj(("username", Str(Pick(Texts))), ("uid", Str(Guid.NewGuid().ToString())),
                ("groups", Arr([.. Enumerable.Range(0, _r.Next(4)).Select(_ => Str(Pick(Texts)))])),
                ("extra", Obj([.. Enumerable.Range(0, _r.Next(3)).Select(i => ("k" + i + Pick(Texts), (J)Arr([Str(Pick(Texts))])))])))),
            ("object", Value(4, objectOnly: true)),
            ("oldObject", _r.Next(3) == 0 ? new JRaw("null") : Value(4, objectOnly: true)),
            ("dryRun", new JRaw(_r.Next(2) == 0 ? "false" : "true")),
            ("options", Obj(("kind", Str("CreateOptions")), ("apiVersion", Str("meta.k8s.io/v1")))));
        if (_r.Next(2) == 0) request.Fields.Add(("subResource", Str(Pick(["", "status", "scale", "exec", "eviction"]))));
        if (_r.Next(3) == 0) request.Fields.Add(("future" + _r.Next(100), Value(3)));
        Shuffle(request.Fields);
        var review = Obj(("kind", Str("AdmissionReview")), ("apiVersion", Str("admission.k8s.io/v1")), ("request", request));
        if (_r.Next(3) == 0) review.Fields.Add(("response", Value(3)));
        Shuffle(review.Fields);
        return review;
    }

    /// <summary>One known field of the review or its request removed, set to null, or given a value of another type.</summary>
    private void Bend(JObject review)
    {
        var target = _r.Next(4) == 0 ? review : Request(review) ?? review;
        if (_r.Next(3) == 0 && target.Fields.FirstOrDefault(f => f.Key == "userInfo").Value is JObject user) target = user;
        if (target.Fields.Count == 0) return;
        var i = _r.Next(target.Fields.Count);
        switch (_r.Next(3))
        {
            case 0: target.Fields.RemoveAt(i); break;
            case 1: target.Fields[i] = (target.Fields[i].Key, new JRaw("null")); break;
            default: target.Fields[i] = (target.Fields[i].Key, Value(2)); break;
        }
    }

    /// <summary>A field given twice, with another value: only a forged review can look like this.</summary>
    private void Repeat(JObject review)
    {
        var target = _r.Next(3) == 0 ? review : Request(review) ?? review;
        var (key, _) = target.Fields[_r.Next(target.Fields.Count)];
        var copy = key switch
        {
            "uid" => Str(Guid.NewGuid().ToString()),
            "operation" => Str(Pick(Operations)),
            "userInfo" => Obj(("username", Str("system:kube-controller-manager")), ("groups", Arr([Str("system:masters")]))),
            _ => Value(2),
        };
        target.Fields.Insert(_r.Next(target.Fields.Count + 1), (key, copy));
    }

    /// <summary>Nesting far beyond the reader's limit, in a field it skips, a field it reads, or an object it slices.</summary>
    private void Deepen(JObject review)
    {
        J deep = new JRaw("1");
        var depth = 200 + _r.Next(400);
        for (var d = 0; d < depth; d++) deep = _r.Next(2) == 0 ? Arr([deep]) : Obj(("d", deep));
        var request = Request(review) ?? review;
        var key = Pick(["object", "oldObject", "requestKind", "future", "options"]);
        request.Fields.RemoveAll(f => f.Key == key);
        request.Fields.Add((key, key is "object" or "oldObject" or "options" ? Obj(("spec", deep)) : deep));
    }

    private byte[] MutateBytes(byte[] body)
    {
        var bytes = new List<byte>(body);
        var times = 1 + _r.Next(3);
        for (var t = 0; t < times && bytes.Count > 0; t++)
        {
            var at = _r.Next(bytes.Count);
            switch (_r.Next(6))
            {
                case 0: bytes[at] ^= (byte)(1 << _r.Next(8)); break;
                case 1: bytes.Insert(at, Pick<byte>([(byte)'"', (byte)'{', (byte)'}', (byte)'[', (byte)']', (byte)',', (byte)':', (byte)'\\', 0xFF, 0xC0, 0x80, 0xED, 0x00, (byte)'/'])); break;
                case 2: bytes.RemoveAt(at); break;
                case 3: bytes.RemoveRange(at, bytes.Count - at); break;
                case 4: bytes.InsertRange(at, bytes.GetRange(at, Math.Min(bytes.Count - at, 1 + _r.Next(40)))); break;
                default: bytes.InsertRange(at, (byte[])[0xF0, 0x9F, 0x98]); break; // a truncated four-byte sequence
            }
        }

        return [.. bytes];
    }

    private static JObject? Request(JObject review) => review.Fields.FirstOrDefault(f => f.Key == "request").Value as JObject;

    private J Value(int depth, bool objectOnly = false)
    {
        var kind = objectOnly ? 5 : _r.Next(depth <= 0 ? 4 : 7);
        return kind switch
        {
            0 => Str(Pick(Texts)),
            1 => new JRaw(Pick(Numbers)),
            2 => new JRaw(Pick(["true", "false", "null"])),
            3 => Str(Pick(Texts)),
            4 => Arr([.. Enumerable.Range(0, _r.Next(4)).Select(_ => Value(depth - 1))]),
            _ => Obj([.. Enumerable.Range(0, _r.Next(5)).Select(i => (Pick(["metadata", "spec", "name", "data", "k" + i, "ünï", "a\"b"]) + i, Value(depth - 1)))]),
        };
    }

    private static JObject Obj(params (string, J)[] fields) => new([.. fields]);

    private static JArray Arr(List<J> items) => new(items);

    private static JString Str(string s) => new(s);

    private T Pick<T>(T[] from) => from[_r.Next(from.Length)];

    private void Shuffle<T>(List<T> list)
    {
        for (var i = list.Count - 1; i > 0; i--)
        {
            var j = _r.Next(i + 1);
            (list[i], list[j]) = (list[j], list[i]);
        }
    }

    private static readonly JsonSerializerOptions Relaxed = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private byte[] Write(J value)
    {
        var text = new StringBuilder();
        Write(value, text);
        if (_r.Next(4) == 0) text.Append(Pick(["\n", " \r\n\t"]));
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    private void Write(J value, StringBuilder text)
    {
        switch (value)
        {
            case JObject o:
                text.Append('{');
                for (var i = 0; i < o.Fields.Count; i++)
                {
                    if (i > 0) text.Append(',');
                    Space(text);
                    WriteString(o.Fields[i].Key, text);
                    text.Append(':');
                    Space(text);
                    Write(o.Fields[i].Value, text);
                }

                text.Append('}');
                break;
            case JArray a:
                text.Append('[');
                for (var i = 0; i < a.Items.Count; i++)
                {
                    if (i > 0) text.Append(',');
                    Write(a.Items[i], text);
                }

                text.Append(']');
                break;
            case JRaw raw:
                text.Append(raw.Text);
                break;
            case JString s:
                WriteString(s.Value, text);
                break;
        }
    }

    /// <summary>Escaped two ways at random: as the API server (Go) does, or with \uXXXX for everything outside ASCII.</summary>
    private void WriteString(string s, StringBuilder text) =>
        text.Append(JsonSerializer.Serialize(s, _r.Next(2) == 0 ? Relaxed : JsonSerializerOptions.Default));

    private void Space(StringBuilder text)
    {
        if (_r.Next(8) == 0) text.Append(Pick([" ", "\n  ", "\t", "\r\n"]));
    }
}
