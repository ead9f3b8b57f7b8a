using JitAdmission.Core.Time;

namespace JitAdmission.Webhook.Endpoints;

/// <summary>How long a handler may take for one request.</summary>
internal sealed class AdmissionDeadline(TimeSpan handlerTimeout, TimeSpan margin)
{
    // The API server sends the same query string on every call of a webhook: one parse serves them all.
    private Memo? _last;

    /// <summary><see cref="For(string?, TimeSpan, TimeSpan)"/> with this endpoint's settings, remembering the last query.</summary>
    public TimeSpan For(string? queryString)
    {
        var last = Volatile.Read(ref _last);
        if (last is not null && string.Equals(last.Query, queryString, StringComparison.Ordinal)) return last.Timeout;
        var timeout = For(queryString, handlerTimeout, margin);
        Volatile.Write(ref _last, new Memo(queryString, timeout));
        return timeout;
    }

    /// <summary>
    /// The configured handler timeout, shortened to end a margin before the API server's own deadline, which it
    /// sends as <c>?timeout=10s</c> (Go duration) on every webhook call.
    /// </summary>
    public static TimeSpan For(string? queryString, TimeSpan handlerTimeout, TimeSpan margin)
    {
        if (!TryGetServerTimeout(queryString, out var server)) return handlerTimeout;
        var budget = server - margin;
        if (budget <= TimeSpan.Zero) budget = server / 2;
        return budget < handlerTimeout ? budget : handlerTimeout;
    }

    internal static bool TryGetServerTimeout(string? queryString, out TimeSpan timeout)
    {
        timeout = default;
        if (string.IsNullOrEmpty(queryString)) return false;
        var query = queryString.AsSpan().TrimStart('?');
        while (!query.IsEmpty)
        {
            var amp = query.IndexOf('&');
            var pair = amp < 0 ? query : query[..amp];
            query = amp < 0 ? [] : query[(amp + 1)..];
            if (!pair.StartsWith("timeout=", StringComparison.Ordinal)) continue;
            return GoDuration.TryParse(pair["timeout=".Length..].ToString(), out timeout, out _) && timeout > TimeSpan.Zero;
        }

        return false;
    }

    private sealed record Memo(string? Query, TimeSpan Timeout);
}
