using System.Diagnostics.CodeAnalysis;

namespace JitAdmission.Core.Scheduling;

/// <summary>A <see cref="PolicySchedule"/> resolved once per policy generation: time zone looked up, times parsed.</summary>
public sealed class ParsedSchedule
{
    private static readonly string[] DayNames = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

    private ParsedSchedule(TimeZoneInfo timeZone, IReadOnlyList<ScheduleWindowSpec> windows)
    {
        TimeZone = timeZone;
        Windows = windows;
    }

    public TimeZoneInfo TimeZone { get; }
    public IReadOnlyList<ScheduleWindowSpec> Windows { get; }

    /// <summary>Wall-clock comparison in the schedule's zone, so DST nights make windows shorter or longer
    /// (docs/semantics.md). A window that crosses midnight belongs to the day it starts.</summary>
    public bool IsActive(DateTimeOffset now)
    {
        var local = TimeZoneInfo.ConvertTime(now, TimeZone).DateTime;
        var today = local.Date;
        var yesterday = today.AddDays(-1);
        foreach (var window in Windows)
        {
            if (window.Contains(today, local) || (window.CrossesMidnight && window.Contains(yesterday, local))) return true;
        }

        return false;
    }

    /// <summary>Parses the schedule; errors name fields below <paramref name="path"/> (<c>spec.schedule.windows[0].from: …</c>).</summary>
    public static bool TryParse(PolicySchedule schedule, [NotNullWhen(true)] out ParsedSchedule? parsed, out IReadOnlyList<string> errors, string path = "schedule")
    {
        var problems = new List<string>();
        var zone = FindTimeZone(schedule.TimeZone, $"{path}.timeZone", problems);
        if (schedule.Windows.Count == 0) problems.Add($"{path}.windows: at least one window is required (omit the schedule to apply at all times)");

        var windows = new List<ScheduleWindowSpec>(schedule.Windows.Count);
        for (var i = 0; i < schedule.Windows.Count; i++)
        {
            var window = schedule.Windows[i];
            var at = $"{path}.windows[{i}]";
            var days = ParseDays(window.Days, at, problems);
            var from = ParseTime(window.From, $"{at}.from", allowEndOfDay: false, problems);
            var to = ParseTime(window.To, $"{at}.to", allowEndOfDay: true, problems);
            if (days is { } d && from is { } f && to is { } t) windows.Add(new ScheduleWindowSpec(d, f, t));
        }

        errors = problems;
        parsed = problems.Count == 0 && zone is not null ? new ParsedSchedule(zone, windows) : null;
        return parsed is not null;
    }

    private static TimeZoneInfo? FindTimeZone(string? id, string path, List<string> problems)
    {
        if (string.IsNullOrWhiteSpace(id))
        {
            problems.Add($"{path}: must be an IANA time zone such as Europe/Berlin or UTC");
            return null;
        }

        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(id);
        }
        catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            problems.Add($"{path}: unknown time zone \"{id}\" (use an IANA name such as Europe/Berlin)");
            return null;
        }
    }

    private static DaySet? ParseDays(List<string> days, string path, List<string> problems)
    {
        if (days.Count == 0) return DaySet.Every;
        var set = new DaySet(0);
        var ok = true;
        for (var i = 0; i < days.Count; i++)
        {
            var index = Array.FindIndex(DayNames, n => string.Equals(n, days[i], StringComparison.OrdinalIgnoreCase));
            if (index < 0)
            {
                problems.Add($"{path}.days[{i}]: \"{days[i]}\" is not a day (use Mon, Tue, Wed, Thu, Fri, Sat, Sun)");
                ok = false;
                continue;
            }

            set = set.With((DayOfWeek)index);
        }

        return ok ? set : null;
    }

    /// <summary>Strict HH:MM, 24-hour clock; 24:00 only as an end.</summary>
    internal static int? ParseTime(string? text, string path, bool allowEndOfDay, List<string> problems)
    {
        if (text is { Length: 5 } && text[2] == ':' &&
            char.IsAsciiDigit(text[0]) && char.IsAsciiDigit(text[1]) && char.IsAsciiDigit(text[3]) && char.IsAsciiDigit(text[4]))
        {
            var hours = ((text[0] - '0') * 10) + (text[1] - '0');
            var minutes = ((text[3] - '0') * 10) + (text[4] - '0');
            if (hours < 24 && minutes < 60) return (hours * 60) + minutes;
            if (allowEndOfDay && hours == 24 && minutes == 0) return 24 * 60;
        }

        problems.Add(allowEndOfDay
            ? $"{path}: \"{text}\" is not a time (use HH:MM from 00:00 to 24:00)"
            : $"{path}: \"{text}\" is not a time (use HH:MM from 00:00 to 23:59)");
        return null;
    }
}
