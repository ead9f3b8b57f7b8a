namespace JitAdmission.Core.Scheduling;

/// <summary>A parsed window: the days it may start on and its wall-clock bounds in minutes after midnight.
/// <see cref="ToMinutes"/> ≤ <see cref="FromMinutes"/> means it ends on the next day.</summary>
public readonly record struct ScheduleWindowSpec(DaySet Days, int FromMinutes, int ToMinutes)
{
    public bool CrossesMidnight => ToMinutes <= FromMinutes;

    /// <summary>Whether the window that starts on <paramref name="startDate"/> contains the wall-clock time <paramref name="local"/>.</summary>
    public bool Contains(DateTime startDate, DateTime local)
    {
        if (!Days.Contains(startDate.DayOfWeek)) return false;
        var start = startDate.AddMinutes(FromMinutes);
        var end = CrossesMidnight ? startDate.AddDays(1).AddMinutes(ToMinutes) : startDate.AddMinutes(ToMinutes);
        return start <= local && local < end;
    }
}
