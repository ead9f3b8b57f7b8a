using System.Globalization;

namespace JitAdmission.Core.Time;

/// <summary>
/// Go's time.ParseDuration syntax ("1h30m", "15m", "500ms"), the form Kubernetes users know and the one
/// CEL's duration() accepts, so the CRD rules and the engine agree on every value.
/// </summary>
public static class GoDuration
{
    public static TimeSpan Parse(string text) =>
        TryParse(text, out var value, out var error) ? value : throw new FormatException(error);

    public static bool TryParse(string? text, out TimeSpan value, out string error)
    {
        value = TimeSpan.Zero;
        error = "";
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "duration is empty";
            return false;
        }

        var s = text.AsSpan().Trim();
        var negative = false;
        if (s[0] is '-' or '+')
        {
            negative = s[0] == '-';
            s = s[1..];
        }

        if (s.SequenceEqual("0"))
            return true;

        decimal totalTicks = 0;
        var any = false;
        while (!s.IsEmpty)
        {
            var i = 0;
            while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '.')) i++;
            if (i == 0 || !decimal.TryParse(s[..i], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
            {
                error = $"invalid duration \"{text}\": expected a number such as 15m, 1h30m or 10s";
                return false;
            }

            s = s[i..];
            var u = 0;
            while (u < s.Length && !char.IsAsciiDigit(s[u]) && s[u] != '.') u++;
            var unit = s[..u].ToString();
            s = s[u..];
            decimal ticksPerUnit = unit switch
            {
                "ns" => 0.01m,
                "us" or "µs" or "μs" => 10m,
                "ms" => TimeSpan.TicksPerMillisecond,
                "s" => TimeSpan.TicksPerSecond,
                "m" => TimeSpan.TicksPerMinute,
                "h" => TimeSpan.TicksPerHour,
                _ => -1m,
            };
            if (ticksPerUnit < 0)
            {
                error = unit.Length == 0
                    ? $"invalid duration \"{text}\": missing unit (use ns, us, ms, s, m or h)"
                    : $"invalid duration \"{text}\": unknown unit \"{unit}\" (use ns, us, ms, s, m or h)";
                return false;
            }

            totalTicks += number * ticksPerUnit;
            if (totalTicks > TimeSpan.MaxValue.Ticks)
            {
                error = $"invalid duration \"{text}\": too large";
                return false;
            }

            any = true;
        }

        if (!any)
        {
            error = $"invalid duration \"{text}\"";
            return false;
        }

        var ticks = (long)decimal.Truncate(totalTicks);
        value = TimeSpan.FromTicks(negative ? -ticks : ticks);
        return true;
    }

    /// <summary>Formats like Go's Duration.String, trimmed of zero parts: 1h30m, 15m, 10s, 1.5s.</summary>
    public static string Format(TimeSpan value)
    {
        if (value == TimeSpan.Zero) return "0s";
        var sign = value < TimeSpan.Zero ? "-" : "";
        value = value.Duration();
        var parts = new System.Text.StringBuilder(sign);
        var hours = (long)value.TotalHours;
        if (hours > 0) parts.Append(CultureInfo.InvariantCulture, $"{hours}h");
        if (value.Minutes > 0) parts.Append(CultureInfo.InvariantCulture, $"{value.Minutes}m");
        var seconds = value.Seconds + (value.Ticks % TimeSpan.TicksPerSecond) / (decimal)TimeSpan.TicksPerSecond;
        if (seconds > 0) parts.Append(CultureInfo.InvariantCulture, $"{seconds.ToString("0.#########", CultureInfo.InvariantCulture)}s");
        return parts.ToString();
    }
}
