namespace JitAdmission.Core.Scheduling;

/// <summary>Whether a policy's schedule is active at an instant.</summary>
public static class ScheduleEvaluator
{
    /// <summary>Parses and evaluates in one go; callers on the hot path use the <see cref="ParsedSchedule"/> a
    /// compiled policy holds. Throws <see cref="FormatException"/> for an invalid schedule.</summary>
    public static bool IsActive(PolicySchedule schedule, DateTimeOffset now) =>
        ParsedSchedule.TryParse(schedule, out var parsed, out var errors)
            ? parsed.IsActive(now)
            : throw new FormatException("invalid schedule: " + string.Join("; ", errors));

    /// <summary>No schedule means always active.</summary>
    public static bool IsActive(ParsedSchedule? schedule, DateTimeOffset now) => schedule is null || schedule.IsActive(now);
}
