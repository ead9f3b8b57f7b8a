using System.Globalization;

namespace JitAdmission.Core.Approval;

/// <summary>
/// Conversions between the API's <see cref="DateTime"/> fields and <see cref="DateTimeOffset"/>, and the two ways
/// times are shown. Everything written to the API is whole seconds in UTC, so a value survives a round trip through
/// the API server unchanged and a no-op reconcile compares equal.
/// </summary>
public static class TimeText
{
    /// <summary>An API time as UTC; an unspecified kind is taken as UTC (that is what the wire format means).</summary>
    public static DateTimeOffset FromApi(DateTime value) => value.Kind switch
    {
        DateTimeKind.Local => new DateTimeOffset(value.ToUniversalTime(), TimeSpan.Zero),
        _ => new DateTimeOffset(DateTime.SpecifyKind(value, DateTimeKind.Utc), TimeSpan.Zero),
    };

    public static DateTimeOffset? FromApi(DateTime? value) => value is { } v ? FromApi(v) : null;

    /// <summary>UTC, truncated to whole seconds.</summary>
    public static DateTime ToApi(DateTimeOffset value) => new(TruncateToSeconds(value).UtcTicks, DateTimeKind.Utc);

    public static DateTime? ToApi(DateTimeOffset? value) => value is { } v ? ToApi(v) : null;

    public static DateTimeOffset TruncateToSeconds(DateTimeOffset value) =>
        new(value.UtcTicks - value.UtcTicks % TimeSpan.TicksPerSecond, TimeSpan.Zero);

    /// <summary>RFC 3339 in UTC with whole seconds: 2025-03-01T12:00:00Z.</summary>
    public static string Absolute(DateTimeOffset value) =>
        TruncateToSeconds(value).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>Short human form for messages: 59m, 1h5m, 2m30s, 12s, 3d4h.</summary>
    public static string Relative(TimeSpan value)
    {
        if (value < TimeSpan.Zero) value = TimeSpan.Zero;
        var days = (long)value.TotalDays;
        if (days > 0) return value.Hours > 0 ? $"{days}d{value.Hours}h" : $"{days}d";
        if (value.TotalHours >= 1) return value.Minutes > 0 ? $"{(int)value.TotalHours}h{value.Minutes}m" : $"{(int)value.TotalHours}h";
        // Under ten minutes the seconds still matter to someone watching a hold.
        if (value.TotalMinutes >= 10) return $"{value.Minutes}m";
        if (value.TotalMinutes >= 1) return value.Seconds > 0 ? $"{value.Minutes}m{value.Seconds}s" : $"{value.Minutes}m";
        return $"{value.Seconds}s";
    }
}
