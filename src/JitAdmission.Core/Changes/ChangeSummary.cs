namespace JitAdmission.Core.Changes;

/// <summary>
/// What an approver reads in <c>spec.change</c>: a header line, then what the change will make of the object, from the
/// proposed object alone (never the old object an admission request carries: a forged call could make it say
/// anything). <see cref="Compare"/> shows the difference from the live object, which <c>kubectl jit describe</c> reads
/// with the approver's credentials. Bounded in size and cost; never shows Secret values; control characters escaped.
/// </summary>
public static class ChangeSummary
{
    public const int DefaultMaxChars = 4000;

    /// <summary>One line is never longer than this, so one huge field cannot crowd out the rest.</summary>
    private const int MaxLineChars = 600;

    private const int MinBodyChars = 32;

    /// <summary>Throws <see cref="JsonException"/> when the object is malformed JSON.</summary>
    public static string Describe(AdmissionAttributes request, int maxChars = DefaultMaxChars)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxChars, 80);
        var header = Header(request);
        // Below a minimal body the header alone is the most useful thing to show.
        if (header.Length + 1 + MinBodyChars > maxChars) return Safe(ValueText.Truncate(header, maxChars));
        var body = Lines(maxChars - header.Length - 1);

        var target = Target(request);
        var isSecret = ProposedObject.IsSecret(request);
        var keepStatus = request.SubResource == "status";
        switch (request.Operation)
        {
            case Operations.Delete:
                body.Add($"delete {Kind(request)} {target}");
                break;
            case Operations.Connect:
                body.Add(ConnectDescription.Describe(request, target));
                break;
            case Operations.Update when request.SubResource == "scale":
                body.Add($"scale {request.Resource.Resource} {target} to {Replicas(request.Object)} replicas");
                break;
            case Operations.Update when request.Object.Element is { } after:
                body.Add("the object as it will be (kubectl jit describe compares it with the live object):");
                body.AddAll(ObjectDiff.Fields(after, keepStatus, isSecret).Select(l => l with { Op = ChangeOp.Set }), "(empty object)");
                break;
            default:
                if (request.Object.Element is { } obj) body.AddAll(ObjectDiff.Fields(obj, keepStatus, isSecret), "(empty object)");
                break;
        }

        return Safe(body.IsEmpty ? header : header + "\n" + body);
    }

    /// <summary>
    /// The difference between <paramref name="live"/> and <paramref name="proposed"/> (null: absent), as path lines under
    /// <paramref name="header"/>, bounded like <see cref="Describe"/>. Secret <c>data</c>/<c>stringData</c> show keys only.
    /// </summary>
    public static string Compare(string header, JsonElement? live, JsonElement? proposed, bool isSecret, bool keepStatus = false, int maxChars = DefaultMaxChars)
    {
        ArgumentNullException.ThrowIfNull(header);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxChars, 80);
        var body = Lines(Math.Max(MinBodyChars, maxChars - header.Length - 1));
        switch (live, proposed)
        {
            case ({ } before, { } after):
                body.AddAll(ObjectDiff.Diff(before, after, keepStatus, isSecret), "(no change besides fields the API server manages)");
                break;
            case (null, { } created):
                body.AddAll(ObjectDiff.Fields(created, keepStatus, isSecret), "(empty object)");
                break;
            case ({ } removed, null):
                body.AddAll(ObjectDiff.Fields(removed, keepStatus, isSecret).Select(l => l with { Op = ChangeOp.Removed, Old = l.New, New = null }), "(empty object)");
                break;
        }

        return Safe(body.IsEmpty ? header : header + "\n" + body);
    }

    /// <summary>
    /// The fields of <paramref name="proposed"/> as they will be (<c>= path: value</c>) under <paramref name="header"/>,
    /// bounded like <see cref="Describe"/>: what an update lets through when the live object cannot be compared.
    /// </summary>
    public static string AsItWillBe(string header, JsonElement proposed, bool isSecret, bool keepStatus = false, int maxChars = DefaultMaxChars)
    {
        ArgumentNullException.ThrowIfNull(header);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxChars, 80);
        var body = Lines(Math.Max(MinBodyChars, maxChars - header.Length - 1));
        body.AddAll(ObjectDiff.Fields(proposed, keepStatus, isSecret).Select(l => l with { Op = ChangeOp.Set }), "(empty object)");
        return Safe(header + "\n" + body);
    }

    private static string Safe(string text) => Text.TerminalText.Escape(text, multiline: true);

    private static string Header(AdmissionAttributes request)
    {
        var gv = request.Resource.Group.Length == 0 ? request.Resource.Version : $"{request.Resource.Group}/{request.Resource.Version}";
        return $"{request.Operation} {gv} {request.ResourceWithSubresource} {Target(request)} by {request.UserInfo.Username}";
    }

    private static string Target(AdmissionAttributes request)
    {
        var name = request.Name.Length > 0 ? request.Name : GeneratedName(request.Object);
        return RequestScope.DisplayTarget(request, name);
    }

    private static string GeneratedName(RawObject obj) =>
        Metadata(obj, "generateName") is { Length: > 0 } prefix ? prefix + "<generated>" : "<unnamed>";

    private static string Kind(AdmissionAttributes request) =>
        request.Kind?.Kind is { Length: > 0 } kind ? kind
        : request.OldObject.Element is { ValueKind: JsonValueKind.Object } old && old.TryGetProperty("kind", out var k)
            && k.ValueKind == JsonValueKind.String ? k.GetString()!
        : request.Resource.Resource;

    private static string Replicas(RawObject scale) =>
        scale.Element is { ValueKind: JsonValueKind.Object } root
        && root.TryGetProperty("spec", out var spec) && spec.ValueKind == JsonValueKind.Object
        && spec.TryGetProperty("replicas", out var replicas)
            ? replicas.GetRawText()
            : "0"; // The API server omits replicas: 0 from a Scale's spec.

    private static string? Metadata(RawObject obj, string field) =>
        obj.Element is { ValueKind: JsonValueKind.Object } root
        && root.TryGetProperty("metadata", out var metadata) && metadata.ValueKind == JsonValueKind.Object
        && metadata.TryGetProperty(field, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    private static BoundedLines Lines(int budget) => new(budget, MaxLineChars, "change");
}
