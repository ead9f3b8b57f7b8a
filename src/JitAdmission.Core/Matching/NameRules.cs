namespace JitAdmission.Core.Matching;

/// <summary>The Kubernetes name grammars the matcher and the validator both rely on.</summary>
public static class NameRules
{
    public const int MaxLabelLength = 63;
    public const int MaxSubdomainLength = 253;

    /// <summary>DNS-1123 label: lower-case alphanumerics and '-', starting and ending alphanumeric, ≤ 63.</summary>
    public static bool IsDnsLabel(string? value) =>
        !string.IsNullOrEmpty(value) && value.Length <= MaxLabelLength && IsLabelBody(value.AsSpan());

    /// <summary>DNS-1123 subdomain: dot-separated labels, ≤ 253 (API group names).</summary>
    public static bool IsDnsSubdomain(string? value)
    {
        if (string.IsNullOrEmpty(value) || value.Length > MaxSubdomainLength) return false;
        foreach (var range in value.AsSpan().Split('.'))
        {
            if (!IsLabelBody(value.AsSpan()[range])) return false;
        }

        return true;
    }

    /// <summary>Resource and subresource names: lower-case alphanumerics and '-' (as served by discovery).</summary>
    public static bool IsResourceName(string? value) => IsDnsLabel(value);

    /// <summary>
    /// The loosest object name the API server accepts (RBAC objects, for example): a path segment, at most 253
    /// characters, not <c>.</c> or <c>..</c>, without <c>/</c> or <c>%</c>, and (our rule) without control characters.
    /// </summary>
    public static bool IsPathSegmentName(string? value) =>
        value is { Length: > 0 and <= 253 } && value is not ("." or "..") && value.IndexOfAny(['/', '%']) < 0 && !Text.TerminalText.HasControl(value);

    /// <summary>Label and annotation keys: optional DNS subdomain prefix and '/', then a name of ≤ 63 characters.</summary>
    public static bool IsQualifiedName(string? value)
    {
        if (string.IsNullOrEmpty(value)) return false;
        var slash = value.LastIndexOf('/');
        if (slash >= 0 && !IsDnsSubdomain(value[..slash])) return false;
        var name = value.AsSpan(slash + 1);
        return name.Length is > 0 and <= MaxLabelLength && IsQualifiedNamePart(name);
    }

    /// <summary>Label values: empty, or ≤ 63 characters of alphanumerics, '-', '_', '.', starting and ending alphanumeric.</summary>
    public static bool IsLabelValue(string? value) =>
        value is not null && (value.Length == 0 || (value.Length <= MaxLabelLength && IsQualifiedNamePart(value.AsSpan())));

    /// <summary>CEL identifier that is not a reserved word, so that <c>context.NAME</c> parses.</summary>
    public static bool IsCelIdentifier(string? value)
    {
        if (string.IsNullOrEmpty(value)) return false;
        if (!(char.IsAsciiLetter(value[0]) || value[0] == '_')) return false;
        foreach (var c in value)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c == '_')) return false;
        }

        return !CelReservedWords.Contains(value);
    }

    private static readonly HashSet<string> CelReservedWords = new(StringComparer.Ordinal)
    {
        "true", "false", "null", "in", "as", "break", "const", "continue", "else", "for", "function", "if",
        "import", "let", "loop", "package", "namespace", "return", "var", "void", "while",
    };

    private static bool IsLabelBody(ReadOnlySpan<char> s)
    {
        if (s.IsEmpty || s.Length > MaxLabelLength) return false;
        if (!IsLowerAlnum(s[0]) || !IsLowerAlnum(s[^1])) return false;
        foreach (var c in s)
        {
            if (!IsLowerAlnum(c) && c != '-') return false;
        }

        return true;
    }

    private static bool IsQualifiedNamePart(ReadOnlySpan<char> s)
    {
        if (!char.IsAsciiLetterOrDigit(s[0]) || !char.IsAsciiLetterOrDigit(s[^1])) return false;
        foreach (var c in s)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('-' or '_' or '.')) return false;
        }

        return true;
    }

    private static bool IsLowerAlnum(char c) => char.IsAsciiDigit(c) || char.IsAsciiLetterLower(c);
}
