using System.Buffers;
using System.Text.Encodings.Web;

namespace JitAdmission.Webhook.Review;

/// <summary>Writes AdmissionReview v1 responses with <see cref="Utf8JsonWriter"/>, no intermediate object model.</summary>
public static class AdmissionReviewWriter
{
    // The response is read by the API server, never embedded in HTML: minimal escaping keeps messages readable.
    private static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// Writes <paramref name="verdict"/> for request <paramref name="uid"/>. A patch is written only when
    /// <paramref name="mutating"/>: the API server rejects the whole response of a validating webhook that carries one.
    /// </summary>
    public static void WriteVerdict(IBufferWriter<byte> output, string uid, AdmissionVerdict verdict, bool mutating)
    {
        ArgumentNullException.ThrowIfNull(verdict);
        if (IsPlain(verdict) && TryWritePlainAllow(output, uid)) return;
        using var json = new Utf8JsonWriter(output, Options);
        WriteHeader(json, uid);
        json.WriteBoolean("allowed"u8, verdict.Allowed);
        if (!verdict.Allowed)
        {
            var code = verdict.Code is >= 400 and <= 599 ? verdict.Code : 403;
            WriteStatus(json, code, string.IsNullOrEmpty(verdict.Reason) ? ReasonFor(code) : verdict.Reason,
                string.IsNullOrEmpty(verdict.Message) ? "denied by jit-admission" : verdict.Message, verdict.Denial);
        }

        WriteWarnings(json, verdict.Warnings);
        WriteAuditAnnotations(json, verdict.AuditAnnotations);
        if (mutating && verdict.Allowed && verdict.JsonPatch is { Length: > 0 } patch)
        {
            json.WriteString("patchType"u8, "JSONPatch"u8);
            json.WriteBase64String("patch"u8, patch);
        }

        json.WriteEndObject();
        json.WriteEndObject();
    }

    // What the writer below produces for an allow with nothing else to say; only the uid varies.
    private static ReadOnlySpan<byte> PlainAllowHead => "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"response\":{\"uid\":\""u8;
    private static ReadOnlySpan<byte> PlainAllowTail => "\",\"allowed\":true}}"u8;

    private static bool IsPlain(AdmissionVerdict verdict) =>
        verdict.Allowed && verdict.Warnings is not { Count: > 0 } && verdict.AuditAnnotations is not { Count: > 0 } && verdict.JsonPatch is not { Length: > 0 };

    /// <summary>
    /// Most answers are a plain allow: its bytes are copied around the uid instead of going through
    /// <see cref="Utf8JsonWriter"/>. Only for a uid of printable ASCII that needs no escaping (the API server's are
    /// UUIDs); anything else takes the writer.
    /// </summary>
    private static bool TryWritePlainAllow(IBufferWriter<byte> output, string uid)
    {
        foreach (var c in uid)
        {
            if (c is < ' ' or > '~' or '"' or '\\') return false;
        }

        var length = PlainAllowHead.Length + uid.Length + PlainAllowTail.Length;
        var span = output.GetSpan(length);
        PlainAllowHead.CopyTo(span);
        var written = PlainAllowHead.Length;
        written += System.Text.Encoding.ASCII.GetBytes(uid, span[written..]);
        PlainAllowTail.CopyTo(span[written..]);
        output.Advance(length);
        return true;
    }

    /// <summary>A refusal that did not come from a handler: bad input or a failure to decide.</summary>
    public static void WriteFailure(IBufferWriter<byte> output, string? uid, int code, string reason, string message)
    {
        using var json = new Utf8JsonWriter(output, Options);
        WriteHeader(json, uid ?? "");
        json.WriteBoolean("allowed"u8, false);
        WriteStatus(json, code, reason, message);
        json.WriteEndObject();
        json.WriteEndObject();
    }

    /// <summary>metav1.StatusReason for the codes the transport and handlers use.</summary>
    public static string ReasonFor(int code) => code switch
    {
        400 => "BadRequest",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "NotFound",
        405 => "MethodNotAllowed",
        409 => "Conflict",
        413 => "RequestEntityTooLarge",
        415 => "UnsupportedMediaType",
        422 => "Invalid",
        429 => "TooManyRequests",
        503 => "ServiceUnavailable",
        504 => "Timeout",
        _ => "InternalError",
    };

    private static void WriteHeader(Utf8JsonWriter json, string uid)
    {
        json.WriteStartObject();
        json.WriteString("apiVersion"u8, "admission.k8s.io/v1"u8);
        json.WriteString("kind"u8, "AdmissionReview"u8);
        json.WriteStartObject("response"u8);
        json.WriteString("uid"u8, uid);
    }

    private static void WriteStatus(Utf8JsonWriter json, int code, string reason, string message, GateDenial? denial = null)
    {
        json.WriteStartObject("status"u8);
        json.WriteNumber("code"u8, code);
        json.WriteString("message"u8, message);
        json.WriteString("reason"u8, reason);
        denial?.WriteDetails(json);
        json.WriteEndObject();
    }

    private static void WriteWarnings(Utf8JsonWriter json, IReadOnlyList<string> warnings)
    {
        if (warnings is null || warnings.Count == 0) return;
        var normalized = AdmissionWarnings.Normalize(warnings);
        if (normalized.Count == 0) return;
        json.WriteStartArray("warnings"u8);
        for (var i = 0; i < normalized.Count; i++) json.WriteStringValue(normalized[i]);
        json.WriteEndArray();
    }

    private static void WriteAuditAnnotations(Utf8JsonWriter json, IReadOnlyDictionary<string, string> annotations)
    {
        if (annotations is null || annotations.Count == 0) return;
        var started = false;
        foreach (var (key, value) in annotations)
        {
            var name = AuditAnnotationKeys.Normalize(key);
            if (name is null) continue;
            if (!started)
            {
                json.WriteStartObject("auditAnnotations"u8);
                started = true;
            }

            json.WriteString(name, value ?? "");
        }

        if (started) json.WriteEndObject();
    }
}
