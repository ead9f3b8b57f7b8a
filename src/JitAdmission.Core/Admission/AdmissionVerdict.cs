namespace JitAdmission.Core.Admission;

/// <summary>The answer to one AdmissionReview, independent of the wire format.</summary>
public sealed record AdmissionVerdict
{
    public required bool Allowed { get; init; }
    /// <summary>HTTP-style status code for denials (403 by default); ignored when allowed.</summary>
    public int Code { get; init; } = 403;
    /// <summary>Shown to the kubectl user on denial.</summary>
    public string? Message { get; init; }
    /// <summary>Machine-readable reason for denials (metav1.StatusReason), e.g. Forbidden.</summary>
    public string? Reason { get; init; }
    /// <summary>For denials by the gate: their kind and request, written into the Status's details for programs.</summary>
    public GateDenial? Denial { get; init; }
    /// <summary>Shown by kubectl as "Warning: …" (allowed or denied).</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];
    /// <summary>Bare keys (e.g. "request"): the API server records them as "&lt;webhook name&gt;/&lt;key&gt;" in the audit
    /// log and drops keys that contain a slash.</summary>
    public IReadOnlyDictionary<string, string> AuditAnnotations { get; init; } = EmptyAnnotations;
    /// <summary>RFC 6902 JSON Patch (UTF-8) for mutating endpoints; null for none.</summary>
    public byte[]? JsonPatch { get; init; }
    /// <summary>For metrics and logs: which policies decided, and how (allow, consume, hold, deny, warn, audit, breakglass, error).</summary>
    public string Outcome { get; init; } = "allow";
    public IReadOnlyList<string> Policies { get; init; } = [];

    private static readonly IReadOnlyDictionary<string, string> EmptyAnnotations = new Dictionary<string, string>();

    public static readonly AdmissionVerdict Allow = new() { Allowed = true, Outcome = "allow" };

    public static AdmissionVerdict Deny(string message, string outcome = "deny", int code = 403, string reason = "Forbidden") =>
        new() { Allowed = false, Message = message, Code = code, Reason = reason, Outcome = outcome };
}
