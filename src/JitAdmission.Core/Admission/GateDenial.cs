namespace JitAdmission.Core.Admission;

/// <summary>Why the gate refused a change, for programs (the plugin); people read the message.</summary>
public enum DenialKind
{
    /// <summary>Held for approval: the request waits for reviews; approve it, then run the change again.</summary>
    NeedsApproval,
    /// <summary>An approver denied this change; it is refused until the request's TTL passes.</summary>
    Denied,
    /// <summary>The request expired or was deleted before the change could use it; running the change again makes a new one.</summary>
    Expired,
    /// <summary>The request cannot be approved as the policies stand (a policy is missing or names no approvers).</summary>
    Unsatisfiable,
    /// <summary>An Enforce policy could not be evaluated, or the change is malformed for it (fail closed).</summary>
    PolicyError,
    /// <summary>jit-admission could not decide (fail closed); retrying may help.</summary>
    InternalError,
    /// <summary>The requester has as many Pending requests as one may have; no new request was made.</summary>
    TooManyPending,
}

/// <summary>
/// The machine-readable part of a denial: its kind and the ApprovalRequest behind it. It travels in the AdmissionReview
/// response's <c>status.details</c>, which the API server hands to the client unchanged in the Status of the refused
/// write (kubectl prints only the message; a client reading the Status gets this). Core owns both directions:
/// <see cref="WriteDetails"/> for the webhook, <see cref="TryRead"/> for the plugin.
/// </summary>
public sealed record GateDenial(DenialKind Kind, string? RequestNamespace = null, string? RequestName = null)
{
    /// <summary>The cause carrying the kind (metav1.StatusCause.reason; its message is the kind's name).</summary>
    public const string KindCause = ApiConstants.Group + "/denial";

    /// <summary>The cause carrying the request's namespace (StatusDetails has a name but no namespace).</summary>
    public const string NamespaceCause = ApiConstants.Group + "/namespace";

    /// <summary>For a denial about an ApprovalRequest.</summary>
    public static GateDenial For(DenialKind kind, ApprovalRequest? request) =>
        new(kind, request?.Metadata?.NamespaceProperty, request?.Metadata?.Name);

    /// <summary>Writes <c>"details": {…}</c> (metav1.StatusDetails) into the Status object being written.</summary>
    public void WriteDetails(Utf8JsonWriter json)
    {
        ArgumentNullException.ThrowIfNull(json);
        json.WriteStartObject("details"u8);
        if (RequestName is { Length: > 0 } name)
        {
            json.WriteString("name"u8, name);
            json.WriteString("group"u8, ApiConstants.Group);
            json.WriteString("kind"u8, ApiConstants.RequestPlural);
        }

        json.WriteStartArray("causes"u8);
        WriteCause(json, KindCause, Kind.ToString());
        if (RequestNamespace is { Length: > 0 } ns) WriteCause(json, NamespaceCause, ns);
        json.WriteEndArray();
        json.WriteEndObject();
    }

    /// <summary>
    /// The denial in a metav1.Status (the body of a refused API call), or null when the Status carries none: another
    /// webhook's or the API server's own refusal, or a kind this version does not know.
    /// </summary>
    public static GateDenial? TryRead(JsonElement status)
    {
        if (status.ValueKind != JsonValueKind.Object || !status.TryGetProperty("details", out var details) || details.ValueKind != JsonValueKind.Object)
            return null;
        if (!details.TryGetProperty("causes", out var causes) || causes.ValueKind != JsonValueKind.Array) return null;
        DenialKind? kind = null;
        string? ns = null;
        foreach (var cause in causes.EnumerateArray())
        {
            if (cause.ValueKind != JsonValueKind.Object) continue;
            var reason = String(cause, "reason");
            var message = String(cause, "message");
            if (reason == KindCause && message is not null && Enum.GetNames<DenialKind>().Contains(message, StringComparer.Ordinal)) kind = Enum.Parse<DenialKind>(message);
            else if (reason == NamespaceCause) ns = message;
        }

        if (kind is null) return null;
        var name = String(details, "group") == ApiConstants.Group ? String(details, "name") : null;
        return new GateDenial(kind.Value, ns, name);
    }

    /// <summary><see cref="TryRead(JsonElement)"/> over a Status's JSON text; null when it is not JSON.</summary>
    public static GateDenial? TryRead(string? statusJson)
    {
        if (string.IsNullOrWhiteSpace(statusJson)) return null;
        try
        {
            using var document = JsonDocument.Parse(statusJson);
            return TryRead(document.RootElement);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static void WriteCause(Utf8JsonWriter json, string reason, string message)
    {
        json.WriteStartObject();
        json.WriteString("reason"u8, reason);
        json.WriteString("message"u8, message);
        json.WriteEndObject();
    }

    private static string? String(JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
