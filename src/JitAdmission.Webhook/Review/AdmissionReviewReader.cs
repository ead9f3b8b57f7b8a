using System.Diagnostics.CodeAnalysis;

namespace JitAdmission.Webhook.Review;

/// <summary>
/// Reads an <c>admission.k8s.io/v1</c> AdmissionReview in one forward pass. <c>object</c>, <c>oldObject</c> and
/// <c>options</c> are not materialised or tokenized: they become <see cref="RawObject"/> slices of the caller's buffer,
/// found by <see cref="JsonExtent"/> (brackets, strings and depth only; their content is checked when a policy needs
/// it, and fails closed then), so a request no policy matches costs a tokenizer pass over the small fields, a fast scan
/// over the objects, and a handful of small strings.
/// </summary>
public static class AdmissionReviewReader
{
    public const string ApiVersion = "admission.k8s.io/v1";
    public const string Kind = "AdmissionReview";

    /// <summary>Containers deeper than this are refused: enough for real objects, bounded for hostile ones.</summary>
    public const int DefaultMaxDepth = 128;

    /// <summary>
    /// Parses <paramref name="utf8"/>. The returned attributes reference <paramref name="utf8"/>: it must stay
    /// unchanged for as long as they are used.
    /// </summary>
    public static bool TryRead(
        ReadOnlyMemory<byte> utf8,
        [NotNullWhen(true)] out AdmissionAttributes? request,
        [NotNullWhen(false)] out AdmissionReviewError? error,
        int maxDepth = DefaultMaxDepth)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxDepth, 4);
        var state = new ReviewState { MaxDepth = maxDepth, Utf8 = utf8 };
        request = null;
        try
        {
            // The reader's own limit sits above ours so that Skip reports depth precisely instead of throwing.
            var reader = new Utf8JsonReader(utf8.Span, new JsonReaderOptions { MaxDepth = maxDepth + 2 });
            if (ReadReview(ref reader, utf8, ref state))
            {
                // Anything but whitespace after the review is malformed; Read throws on it.
                reader.Read();
            }
        }
        catch (JsonException ex)
        {
            error = new AdmissionReviewError(AdmissionReviewErrorKind.InvalidJson, "the body is not valid JSON: " + ex.Message, state.Uid);
            return false;
        }
        catch (InvalidOperationException ex)
        {
            // GetString on invalid UTF-8.
            error = new AdmissionReviewError(AdmissionReviewErrorKind.InvalidJson, "the body is not valid JSON: " + ex.Message, state.Uid);
            return false;
        }

        error = Validate(ref state);
        if (error is not null) return false;

        request = new AdmissionAttributes
        {
            Uid = state.Uid!,
            Operation = state.Operation!,
            Resource = new GroupVersionResource(state.ResourceGroup ?? "", state.ResourceVersion ?? "", state.ResourceName!),
            SubResource = state.SubResource ?? "",
            Kind = state.Kind,
            Namespace = state.Namespace ?? "",
            Name = state.Name ?? "",
            UserInfo = state.UserInfo!,
            DryRun = state.DryRun,
            Object = Raw(utf8, state.Object),
            OldObject = Raw(utf8, state.OldObject),
            Options = Raw(utf8, state.Options),
        };
        return true;
    }

    private static RawObject Raw(ReadOnlyMemory<byte> utf8, Range range)
    {
        var (offset, length) = range.GetOffsetAndLength(utf8.Length);
        return length == 0 ? RawObject.None : new RawObject(utf8.Slice(offset, length));
    }

    private static AdmissionReviewError? Validate(ref ReviewState s)
    {
        AdmissionReviewError Error(AdmissionReviewErrorKind kind, string message, string? uid) => new(kind, message, uid);

        var uid = string.IsNullOrEmpty(s.Uid) ? null : s.Uid;
        if (s.ErrorMessage is not null) return Error(s.ErrorKind, s.ErrorMessage, uid);
        if (s.ApiVersion is null)
            return Error(AdmissionReviewErrorKind.MissingApiVersion, "apiVersion is missing; expected " + ApiVersion, uid);
        if (s.ApiVersion != ApiVersion)
        {
            return Error(AdmissionReviewErrorKind.UnsupportedApiVersion,
                $"apiVersion \"{s.ApiVersion}\" is not supported; register the webhook with admissionReviewVersions [\"v1\"] ({ApiVersion})", uid);
        }

        if (s.ReviewKind != Kind)
            return Error(AdmissionReviewErrorKind.WrongKind, $"kind is \"{s.ReviewKind}\"; expected {Kind}", uid);
        if (!s.HasRequest) return Error(AdmissionReviewErrorKind.MissingRequest, "request is missing", null);
        if (uid is null) return Error(AdmissionReviewErrorKind.MissingUid, "request.uid is missing or empty", null);
        if (s.Operation is null)
        {
            return Error(AdmissionReviewErrorKind.InvalidOperation,
                s.RawOperation is null
                    ? "request.operation is missing; expected CREATE, UPDATE, DELETE or CONNECT"
                    : $"request.operation \"{s.RawOperation}\" is invalid; expected CREATE, UPDATE, DELETE or CONNECT", uid);
        }

        if (string.IsNullOrEmpty(s.ResourceName))
            return Error(AdmissionReviewErrorKind.MissingResource, "request.resource.resource is missing or empty", uid);
        if (s.UserInfo is null) return Error(AdmissionReviewErrorKind.MissingUserInfo, "request.userInfo is missing", uid);
        return null;
    }

    private static bool ReadReview(ref Utf8JsonReader reader, ReadOnlyMemory<byte> utf8, ref ReviewState s)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            s.Fail(AdmissionReviewErrorKind.NotAnObject, $"the body must be a JSON object (an AdmissionReview), not {Describe(reader.TokenType)}");
            return false;
        }

        var seen = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("apiVersion"u8))
            {
                if (!FirstTime(ref seen, 0, ref s, "apiVersion") || !ReadString(ref reader, ref s, "apiVersion", out s.ApiVersion, Repeats)) return false;
            }
            else if (reader.ValueTextEquals("kind"u8))
            {
                if (!FirstTime(ref seen, 1, ref s, "kind") || !ReadString(ref reader, ref s, "kind", out s.ReviewKind, Repeats)) return false;
            }
            else if (reader.ValueTextEquals("request"u8))
            {
                if (!FirstTime(ref seen, 2, ref s, "request")) return false;
                reader.Read();
                if (reader.TokenType == JsonTokenType.Null) continue;
                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    if (!WrongType(ref reader, ref s, "request", "an object")) return false;
                    continue;
                }

                s.HasRequest = true;
                if (!ReadRequest(ref reader, utf8, ref s)) return false;
            }
            else
            {
                reader.Read();
                if (!Skip(ref reader, ref s)) return false;
            }
        }

        return true;
    }

    private static bool ReadRequest(ref Utf8JsonReader reader, ReadOnlyMemory<byte> utf8, ref ReviewState s)
    {
        var seen = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            bool ok;
            if (reader.ValueTextEquals("uid"u8)) ok = FirstTime(ref seen, 0, ref s, "request.uid") && ReadString(ref reader, ref s, "request.uid", out s.Uid);
            else if (reader.ValueTextEquals("operation"u8)) ok = FirstTime(ref seen, 1, ref s, "request.operation") && ReadOperation(ref reader, ref s);
            else if (reader.ValueTextEquals("resource"u8)) ok = FirstTime(ref seen, 2, ref s, "request.resource") && ReadResource(ref reader, ref s);
            else if (reader.ValueTextEquals("subResource"u8))
                ok = FirstTime(ref seen, 3, ref s, "request.subResource") && ReadString(ref reader, ref s, "request.subResource", out s.SubResource, Repeats);
            else if (reader.ValueTextEquals("kind"u8)) ok = FirstTime(ref seen, 4, ref s, "request.kind") && ReadKind(ref reader, ref s);
            else if (reader.ValueTextEquals("name"u8)) ok = FirstTime(ref seen, 5, ref s, "request.name") && ReadString(ref reader, ref s, "request.name", out s.Name);
            else if (reader.ValueTextEquals("namespace"u8))
                ok = FirstTime(ref seen, 6, ref s, "request.namespace") && ReadString(ref reader, ref s, "request.namespace", out s.Namespace, Repeats);
            else if (reader.ValueTextEquals("userInfo"u8)) ok = FirstTime(ref seen, 7, ref s, "request.userInfo") && ReadUserInfo(ref reader, ref s);
            else if (reader.ValueTextEquals("dryRun"u8)) ok = FirstTime(ref seen, 8, ref s, "request.dryRun") && ReadDryRun(ref reader, ref s);
            else if (reader.ValueTextEquals("object"u8)) ok = FirstTime(ref seen, 9, ref s, "request.object") && ReadRaw(ref reader, ref s, "request.object", out s.Object);
            else if (reader.ValueTextEquals("oldObject"u8))
                ok = FirstTime(ref seen, 10, ref s, "request.oldObject") && ReadRaw(ref reader, ref s, "request.oldObject", out s.OldObject);
            else if (reader.ValueTextEquals("options"u8)) ok = FirstTime(ref seen, 11, ref s, "request.options") && ReadRaw(ref reader, ref s, "request.options", out s.Options);
            else
            {
                // requestKind, requestResource, requestSubResource and future fields: not needed for decisions.
                reader.Read();
                ok = Skip(ref reader, ref s);
            }

            if (!ok) return false;
        }

        return true;
    }

    private static bool ReadOperation(ref Utf8JsonReader reader, ref ReviewState s)
    {
        reader.Read();
        if (reader.TokenType == JsonTokenType.Null) return true;
        if (reader.TokenType != JsonTokenType.String) return WrongType(ref reader, ref s, "request.operation", "a string");

        // Interned constants: no allocation for the four valid values.
        if (reader.ValueTextEquals("CREATE"u8)) s.Operation = Operations.Create;
        else if (reader.ValueTextEquals("UPDATE"u8)) s.Operation = Operations.Update;
        else if (reader.ValueTextEquals("DELETE"u8)) s.Operation = Operations.Delete;
        else if (reader.ValueTextEquals("CONNECT"u8)) s.Operation = Operations.Connect;
        else
        {
            s.Operation = null;
            s.RawOperation = reader.GetString();
        }

        return true;
    }

    private static bool ReadResource(ref Utf8JsonReader reader, ref ReviewState s) =>
        ReadGroupVersion(ref reader, ref s, ResourceFields, ref s.ResourceGroup, ref s.ResourceVersion, ref s.ResourceName, out _);

    private static bool ReadKind(ref Utf8JsonReader reader, ref ReviewState s)
    {
        string? group = null, version = null, kind = null;
        if (!ReadGroupVersion(ref reader, ref s, KindFields, ref group, ref version, ref kind, out var isObject)) return false;
        if (isObject) s.Kind = new GroupVersionKind(group ?? "", version ?? "", kind ?? "");
        return true;
    }

    /// <summary>
    /// Reads a {group, version, resource or kind} object into the three references, each as its field comes; other fields
    /// are skipped. A null (<paramref name="isObject"/> false) leaves them as they were.
    /// </summary>
    private static bool ReadGroupVersion(
        ref Utf8JsonReader reader, ref ReviewState s, GroupVersionFields fields, ref string? group, ref string? version, ref string? name, out bool isObject)
    {
        isObject = false;
        reader.Read();
        if (reader.TokenType == JsonTokenType.Null) return true;
        if (reader.TokenType != JsonTokenType.StartObject) return WrongType(ref reader, ref s, fields.Path, "an object");
        isObject = true;
        var seen = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            bool ok;
            if (reader.ValueTextEquals("group"u8)) ok = FirstTime(ref seen, 0, ref s, fields.GroupPath) && ReadString(ref reader, ref s, fields.GroupPath, out group, Repeats);
            else if (reader.ValueTextEquals("version"u8))
                ok = FirstTime(ref seen, 1, ref s, fields.VersionPath) && ReadString(ref reader, ref s, fields.VersionPath, out version, Repeats);
            else if (reader.ValueTextEquals(fields.Name)) ok = FirstTime(ref seen, 2, ref s, fields.NamePath) && ReadString(ref reader, ref s, fields.NamePath, out name, Repeats);
            else
            {
                reader.Read();
                ok = Skip(ref reader, ref s);
            }

            if (!ok) return false;
        }

        return true;
    }

    private static bool ReadUserInfo(ref Utf8JsonReader reader, ref ReviewState s)
    {
        reader.Read();
        if (reader.TokenType == JsonTokenType.Null) return true;
        if (reader.TokenType != JsonTokenType.StartObject) return WrongType(ref reader, ref s, "request.userInfo", "an object");
        string? username = null, uid = null;
        IReadOnlyList<string> groups = [];
        IReadOnlyDictionary<string, IReadOnlyList<string>>? extra = null;
        var seen = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            bool ok;
            if (reader.ValueTextEquals("username"u8))
                ok = FirstTime(ref seen, 0, ref s, "request.userInfo.username") && ReadString(ref reader, ref s, "request.userInfo.username", out username, Repeats);
            else if (reader.ValueTextEquals("uid"u8)) ok = FirstTime(ref seen, 1, ref s, "request.userInfo.uid") && ReadString(ref reader, ref s, "request.userInfo.uid", out uid, Repeats);
            else if (reader.ValueTextEquals("groups"u8))
                ok = FirstTime(ref seen, 2, ref s, "request.userInfo.groups") && ReadStringArray(ref reader, ref s, "request.userInfo.groups", out groups, Repeats);
            else if (reader.ValueTextEquals("extra"u8)) ok = FirstTime(ref seen, 3, ref s, "request.userInfo.extra") && ReadExtra(ref reader, ref s, out extra);
            else
            {
                reader.Read();
                ok = Skip(ref reader, ref s);
            }

            if (!ok) return false;
        }

        s.UserInfo = extra is null
            ? new UserInfo(username ?? "", uid, groups)
            : new UserInfo(username ?? "", uid, groups) { Extra = extra };
        return true;
    }

    private static bool ReadExtra(ref Utf8JsonReader reader, ref ReviewState s, out IReadOnlyDictionary<string, IReadOnlyList<string>>? extra)
    {
        extra = null;
        reader.Read();
        if (reader.TokenType == JsonTokenType.Null) return true;
        if (reader.TokenType != JsonTokenType.StartObject) return WrongType(ref reader, ref s, "request.userInfo.extra", "an object");
        var map = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var key = reader.GetString()!;
            if (!ReadStringArray(ref reader, ref s, "request.userInfo.extra[\"" + key + "\"]", out var values)) return false;
            map[key] = values;
        }

        extra = map;
        return true;
    }

    private static bool ReadStringArray(ref Utf8JsonReader reader, ref ReviewState s, string path, out IReadOnlyList<string> values, bool repeats = false)
    {
        values = [];
        reader.Read();
        if (reader.TokenType == JsonTokenType.Null) return true;
        if (reader.TokenType != JsonTokenType.StartArray) return WrongType(ref reader, ref s, path, "an array of strings");
        List<string>? list = null;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.String)
            {
                if (!WrongType(ref reader, ref s, path, "an array of strings")) return false;
                continue;
            }

            (list ??= []).Add(repeats ? RepeatedStrings.Get(ref reader) : reader.GetString()!);
        }

        if (list is not null) values = list;
        return true;
    }

    private static bool ReadDryRun(ref Utf8JsonReader reader, ref ReviewState s)
    {
        reader.Read();
        switch (reader.TokenType)
        {
            case JsonTokenType.True: s.DryRun = true; return true;
            case JsonTokenType.False or JsonTokenType.Null: s.DryRun = false; return true;
            default: return WrongType(ref reader, ref s, "request.dryRun", "a boolean");
        }
    }

    private static bool ReadRaw(ref Utf8JsonReader reader, ref ReviewState s, string path, out Range range)
    {
        switch (JumpOverObject(ref reader, ref s, out range))
        {
            case JsonExtent.TooDeep: return TooDeep(ref s);
            case >= 0: return true;
        }

        // Not an object, or not closed: the tokenizer says precisely what is wrong.
        reader.Read();
        if (reader.TokenType == JsonTokenType.Null) return true;
        if (reader.TokenType != JsonTokenType.StartObject) return WrongType(ref reader, ref s, path, "an object");
        var start = s.Offset + (int)reader.TokenStartIndex;
        if (!Skip(ref reader, ref s)) return false;
        range = start..(s.Offset + (int)reader.BytesConsumed);
        return true;
    }

    /// <summary>
    /// With the reader on a property name whose value is an object: finds the object's end with
    /// <see cref="JsonExtent"/> and replaces the reader by one that continues after it, as if it had read the value.
    /// Returns the end, or <see cref="JsonExtent.NotFound"/> (reader untouched) / <see cref="JsonExtent.TooDeep"/>.
    /// </summary>
    private static int JumpOverObject(ref Utf8JsonReader reader, ref ReviewState s, out Range range)
    {
        range = default;
        var utf8 = s.Utf8.Span;
        // The reader has consumed the name and its colon.
        var start = s.Offset + (int)reader.BytesConsumed;
        while (start < utf8.Length && utf8[start] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n') start++;
        if (start >= utf8.Length || utf8[start] != (byte)'{') return JsonExtent.NotFound;
        var end = JsonExtent.End(utf8, start, s.MaxDepth - reader.CurrentDepth);
        if (end < 0) return end;

        // A stand-in value carries the reader's state (depth, container, options) past the object.
        var standIn = new Utf8JsonReader("null"u8, isFinalBlock: false, reader.CurrentState);
        if (!standIn.Read()) return JsonExtent.NotFound;
        reader = new Utf8JsonReader(utf8[end..], isFinalBlock: true, standIn.CurrentState);
        s.Offset = end;
        range = start..end;
        return end;
    }

    /// <summary>For <see cref="ReadString"/>: a value that recurs across reviews, see <see cref="RepeatedStrings"/>.</summary>
    private const bool Repeats = true;

    private static readonly GroupVersionFields ResourceFields = new("request.resource", "resource");
    private static readonly GroupVersionFields KindFields = new("request.kind", "kind");

    private static bool ReadString(ref Utf8JsonReader reader, ref ReviewState s, string path, out string? value, bool repeats = false)
    {
        value = null;
        reader.Read();
        if (reader.TokenType == JsonTokenType.Null) return true;
        if (reader.TokenType != JsonTokenType.String) return WrongType(ref reader, ref s, path, "a string");
        value = repeats ? RepeatedStrings.Get(ref reader) : reader.GetString();
        return true;
    }

    /// <summary>
    /// Marks a field the reader uses as seen; a second copy refuses the review. Only a forged review repeats a field, and
    /// which copy would count is not something to guess: System.Text.Json keeps the last, Go merges objects.
    /// </summary>
    private static bool FirstTime(ref int seen, int field, ref ReviewState s, string path)
    {
        var bit = 1 << field;
        if ((seen & bit) == 0)
        {
            seen |= bit;
            return true;
        }

        s.Fail(AdmissionReviewErrorKind.DuplicateField, $"{path} appears twice; the API server writes each field once");
        return false;
    }

    /// <summary>Records a type error and moves past the offending value, so later fields (the uid) still get read.</summary>
    private static bool WrongType(ref Utf8JsonReader reader, ref ReviewState s, string path, string expected)
    {
        s.Fail(AdmissionReviewErrorKind.WrongType, $"{path} must be {expected}, not {Describe(reader.TokenType)}");
        return Skip(ref reader, ref s);
    }

    /// <summary>Moves past the value at the current token, refusing containers nested deeper than the limit.</summary>
    private static bool Skip(ref Utf8JsonReader reader, ref ReviewState s)
    {
        if (reader.TokenType is not (JsonTokenType.StartObject or JsonTokenType.StartArray)) return true;
        var depth = reader.CurrentDepth;
        if (depth >= s.MaxDepth) return TooDeep(ref s);
        while (reader.Read())
        {
            if (reader.CurrentDepth == depth) return true;
            if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray && reader.CurrentDepth >= s.MaxDepth)
                return TooDeep(ref s);
        }

        return true;
    }

    private static bool TooDeep(ref ReviewState s)
    {
        s.ErrorKind = AdmissionReviewErrorKind.TooDeep;
        s.ErrorMessage = $"the AdmissionReview nests objects or arrays deeper than {s.MaxDepth} levels";
        return false;
    }

    private static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        _ => token.ToString(),
    };

    /// <summary>The third field of a {group, version, …} object and the paths errors name.</summary>
    private sealed class GroupVersionFields(string path, string name)
    {
        public byte[] Name { get; } = System.Text.Encoding.UTF8.GetBytes(name);
        public string Path { get; } = path;
        public string GroupPath { get; } = path + ".group";
        public string VersionPath { get; } = path + ".version";
        public string NamePath { get; } = path + "." + name;
    }

    private struct ReviewState
    {
        public int MaxDepth;
        /// <summary>The whole body, and where in it the current reader's span starts (readers are replaced to jump over objects).</summary>
        public ReadOnlyMemory<byte> Utf8;
        public int Offset;
        public string? ApiVersion;
        public string? ReviewKind;
        public bool HasRequest;
        public string? Uid;
        public string? Operation;
        public string? RawOperation;
        public string? ResourceGroup;
        public string? ResourceVersion;
        public string? ResourceName;
        public string? SubResource;
        public GroupVersionKind? Kind;
        public string? Namespace;
        public string? Name;
        public UserInfo? UserInfo;
        public bool DryRun;
        public Range Object;
        public Range OldObject;
        public Range Options;
        public AdmissionReviewErrorKind ErrorKind;
        public string? ErrorMessage;

        /// <summary>Keeps the first error: it is the one the sender should fix first.</summary>
        public void Fail(AdmissionReviewErrorKind kind, string message)
        {
            if (ErrorMessage is not null) return;
            ErrorKind = kind;
            ErrorMessage = message;
        }
    }
}
