namespace JitAdmission.Webhook.Review;

/// <summary>
/// Audit annotation keys as the API server accepts them. It stores a webhook's annotation under
/// <c>&lt;webhook name&gt;/&lt;key&gt;</c> and drops any whose full key is not a qualified name with exactly one
/// slash, so the key we send must be a bare name (<c>request</c>), never <c>jitadmission.io/request</c>. With the
/// webhooks named in our domain (e.g. <c>validate.jitadmission.io</c>) the audit log shows
/// <c>validate.jitadmission.io/request</c>.
/// </summary>
public static class AuditAnnotationKeys
{
    /// <summary>Accepted (and removed) on keys from handlers that followed the older prefixed convention.</summary>
    public const string DomainPrefix = "jitadmission.io/";

    /// <summary>The name part of a Kubernetes qualified name is at most 63 characters.</summary>
    public const int MaxLength = 63;

    /// <summary>The key to put on the wire, or null when nothing usable is left.</summary>
    public static string? Normalize(string? key)
    {
        if (string.IsNullOrEmpty(key)) return null;
        var span = key.AsSpan();
        if (span.StartsWith(DomainPrefix, StringComparison.Ordinal)) span = span[DomainPrefix.Length..];
        if (IsValidName(span)) return span.Length == key.Length ? key : span.ToString();

        Span<char> buffer = stackalloc char[MaxLength];
        var length = 0;
        foreach (var c in span)
        {
            if (length == MaxLength) break;
            buffer[length++] = IsNameChar(c) ? c : '-';
        }

        var cleaned = buffer[..length].Trim("-_.");
        return cleaned.IsEmpty ? null : cleaned.ToString();
    }

    /// <summary><c>([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]</c>, at most 63 characters.</summary>
    public static bool IsValidName(ReadOnlySpan<char> name)
    {
        if (name.IsEmpty || name.Length > MaxLength) return false;
        if (!char.IsAsciiLetterOrDigit(name[0]) || !char.IsAsciiLetterOrDigit(name[^1])) return false;
        foreach (var c in name)
        {
            if (!IsNameChar(c)) return false;
        }

        return true;
    }

    private static bool IsNameChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.';
}
