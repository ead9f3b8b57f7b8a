using JitAdmission.Core.Api;
using JitAdmission.Core.Scheduling;
using static JitAdmission.Core.Tests.TestSupport.MatchPolicyBuilder;

namespace JitAdmission.Core.Tests.Scheduling;

public class ScheduleEvaluatorTests
{
    private static PolicySchedule Schedule(string zone, params ScheduleWindow[] windows) => new() { TimeZone = zone, Windows = [.. windows] };

    private static DateTimeOffset Utc(string iso) => DateTimeOffset.Parse(iso, System.Globalization.CultureInfo.InvariantCulture);

    public static TheoryData<string, ScheduleWindow, string, bool> Instants => new()
    {
        // Fri 18:00 → 08:00 covers Friday evening and Saturday morning only (2025-03-14 is a Friday).
        { "UTC", Window("18:00", "08:00", "Fri"), "2025-03-14T17:59:00Z", false },
        { "UTC", Window("18:00", "08:00", "Fri"), "2025-03-14T18:00:00Z", true },
        { "UTC", Window("18:00", "08:00", "Fri"), "2025-03-14T23:59:59Z", true },
        { "UTC", Window("18:00", "08:00", "Fri"), "2025-03-15T00:00:00Z", true },
        { "UTC", Window("18:00", "08:00", "Fri"), "2025-03-15T07:59:59Z", true },
        { "UTC", Window("18:00", "08:00", "Fri"), "2025-03-15T08:00:00Z", false },
        { "UTC", Window("18:00", "08:00", "Fri"), "2025-03-15T19:00:00Z", false },
        { "UTC", Window("18:00", "08:00", "Fri"), "2025-03-14T07:00:00Z", false },
        // Across the week boundary: Sunday night into Monday (2025-03-16 is a Sunday).
        { "UTC", Window("22:00", "02:00", "Sun"), "2025-03-16T21:59:00Z", false },
        { "UTC", Window("22:00", "02:00", "Sun"), "2025-03-16T22:00:00Z", true },
        { "UTC", Window("22:00", "02:00", "Sun"), "2025-03-17T01:59:00Z", true },
        { "UTC", Window("22:00", "02:00", "Sun"), "2025-03-17T02:00:00Z", false },
        { "UTC", Window("22:00", "02:00", "Sun"), "2025-03-15T23:00:00Z", false },
        { "UTC", Window("22:00", "02:00", "Sat", "Sun"), "2025-03-16T01:00:00Z", true },
        // 24:00 ends at midnight; a window never starts on a day not listed.
        { "UTC", Window("20:00", "24:00", "Mon"), "2025-03-17T23:59:59Z", true },
        { "UTC", Window("20:00", "24:00", "Mon"), "2025-03-18T00:00:00Z", false },
        { "UTC", Window("00:00", "24:00", "Mon"), "2025-03-17T00:00:00Z", true },
        { "UTC", Window("00:00", "24:00", "Mon"), "2025-03-16T23:59:59Z", false },
        // from == to: a full day starting at from.
        { "UTC", Window("09:00", "09:00", "Mon"), "2025-03-18T08:59:00Z", true },
        { "UTC", Window("09:00", "09:00", "Mon"), "2025-03-18T09:00:00Z", false },
        // No days = every day; day names are case-insensitive.
        { "UTC", Window("09:00", "17:00"), "2025-03-16T12:00:00Z", true },
        { "UTC", Window("09:00", "17:00", "mon", "TUE"), "2025-03-18T12:00:00Z", true },
        { "UTC", Window("09:00", "17:00", "mon", "TUE"), "2025-03-19T12:00:00Z", false },
        // Wall clock of the zone, not UTC.
        { "Europe/Berlin", Window("09:00", "17:00", "Mon"), "2025-03-17T08:00:00Z", true },
        { "Europe/Berlin", Window("09:00", "17:00", "Mon"), "2025-03-17T16:00:00Z", false },
        { "Europe/Berlin", Window("09:00", "17:00", "Mon"), "2025-07-14T07:00:00Z", true },
        { "Europe/Berlin", Window("09:00", "17:00", "Mon"), "2025-07-14T15:00:00Z", false },
        { "Asia/Kolkata", Window("00:00", "01:00", "Tue"), "2025-03-17T18:45:00Z", true },
        { "Asia/Kolkata", Window("00:00", "01:00", "Tue"), "2025-03-17T18:29:00Z", false },
        { "America/New_York", Window("22:00", "06:00", "Fri"), "2025-03-15T03:30:00Z", true },
    };

    [Theory]
    [MemberData(nameof(Instants))]
    public void Windows_are_wall_clock_intervals_that_belong_to_their_start_day(string zone, ScheduleWindow window, string instant, bool active) =>
        Assert.Equal(active, ScheduleEvaluator.IsActive(Schedule(zone, window), Utc(instant)));

    public static TheoryData<string, ScheduleWindow, string, int> DstNights => new()
    {
        // Berlin springs forward 02:00 → 03:00 on 2025-03-30: 01:00–03:00 lasts one hour.
        { "Europe/Berlin", Window("01:00", "03:00", "Sun"), "2025-03-29T18:00:00Z", 60 },
        // A window starting inside the skipped hour starts when the clock reaches 03:00.
        { "Europe/Berlin", Window("02:30", "04:00", "Sun"), "2025-03-29T18:00:00Z", 60 },
        // Berlin falls back 03:00 → 02:00 on 2025-10-26: 01:00–03:00 lasts three hours.
        { "Europe/Berlin", Window("01:00", "03:00", "Sun"), "2025-10-25T18:00:00Z", 180 },
        // New York springs forward 02:00 → 03:00 on 2025-03-09.
        { "America/New_York", Window("01:00", "03:00", "Sun"), "2025-03-08T22:00:00Z", 60 },
        // New York falls back 02:00 → 01:00 on 2025-11-02: 01:00–02:00 is lived twice.
        { "America/New_York", Window("01:00", "02:00", "Sun"), "2025-11-01T22:00:00Z", 120 },
        // An overnight window across the fall-back night: Sat 22:00 → Sun 06:00 is nine real hours.
        { "America/New_York", Window("22:00", "06:00", "Sat"), "2025-11-01T22:00:00Z", 540 },
        // … and eight across a night without a change.
        { "America/New_York", Window("22:00", "06:00", "Sat"), "2025-10-25T22:00:00Z", 480 },
    };

    [Theory]
    [MemberData(nameof(DstNights))]
    public void Daylight_saving_nights_make_windows_shorter_or_longer(string zone, ScheduleWindow window, string from, int activeMinutes)
    {
        var schedule = Schedule(zone, window);
        var start = Utc(from);
        var minutes = Enumerable.Range(0, 24 * 60).Count(m => ScheduleEvaluator.IsActive(schedule, start.AddMinutes(m)));

        Assert.Equal(activeMinutes, minutes);
    }

    [Fact]
    public void Any_window_is_enough()
    {
        var schedule = Schedule("UTC", Window("09:00", "10:00", "Mon"), Window("15:00", "16:00", "Mon"));

        Assert.True(ScheduleEvaluator.IsActive(schedule, Utc("2025-03-17T15:30:00Z")));
        Assert.False(ScheduleEvaluator.IsActive(schedule, Utc("2025-03-17T12:00:00Z")));
    }

    [Fact]
    public void No_schedule_is_always_active() => Assert.True(ScheduleEvaluator.IsActive((ParsedSchedule?)null, DateTimeOffset.UnixEpoch));

    public static TheoryData<PolicySchedule, string> Invalid => new()
    {
        { Schedule("Mars/Olympus", Window("09:00", "17:00")), "schedule.timeZone: unknown time zone \"Mars/Olympus\"" },
        { Schedule("", Window("09:00", "17:00")), "schedule.timeZone: must be an IANA time zone" },
        { Schedule("UTC"), "schedule.windows: at least one window is required" },
        { Schedule("UTC", Window("09:00", "17:00", "Funday")), "schedule.windows[0].days[0]: \"Funday\" is not a day" },
        { Schedule("UTC", Window("09:00", "17:00", "Monday")), "schedule.windows[0].days[0]: \"Monday\" is not a day" },
        { Schedule("UTC", Window("24:00", "17:00")), "schedule.windows[0].from: \"24:00\" is not a time (use HH:MM from 00:00 to 23:59)" },
        { Schedule("UTC", Window("09:00", "24:01")), "schedule.windows[0].to: \"24:01\" is not a time" },
        { Schedule("UTC", Window("9:00", "17:00")), "schedule.windows[0].from: \"9:00\" is not a time" },
        { Schedule("UTC", Window("09:60", "17:00")), "schedule.windows[0].from: \"09:60\" is not a time" },
        { Schedule("UTC", Window("0900", "17:00")), "schedule.windows[0].from: \"0900\" is not a time" },
        { Schedule("UTC", Window("09:00", " 17:00")), "schedule.windows[0].to: \" 17:00\" is not a time" },
        { Schedule("UTC", Window("09:00", "17:00"), Window("25:00", "17:00")), "schedule.windows[1].from" },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void Invalid_schedules_are_reported_by_field(PolicySchedule schedule, string expected)
    {
        Assert.False(ParsedSchedule.TryParse(schedule, out var parsed, out var errors));
        Assert.Null(parsed);
        Assert.Contains(errors, e => e.StartsWith(expected, StringComparison.Ordinal));
        Assert.Throws<FormatException>(() => ScheduleEvaluator.IsActive(schedule, DateTimeOffset.UnixEpoch));
    }
}
