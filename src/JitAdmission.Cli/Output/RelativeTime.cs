namespace JitAdmission.Cli.Output;

/// <summary>Times as people read them in a terminal, in the same units as jit-admission's messages (59m, 1h5m, 2m30s).</summary>
internal static class RelativeTime
{
    /// <summary>"in 42m" for a future instant, "5m ago" for a past one.</summary>
    public static string From(DateTimeOffset instant, DateTimeOffset now) =>
        instant > now ? "in " + TimeText.Relative(instant - now) : TimeText.Relative(now - instant) + " ago";

    /// <summary>kubectl's AGE column: the time since creation, "-" when unknown.</summary>
    public static string Age(DateTimeOffset? created, DateTimeOffset now) =>
        created is { } c ? TimeText.Relative(now - c) : "-";

    /// <summary>"2025-03-01T12:00:00Z (in 42m)".</summary>
    public static string Both(DateTimeOffset instant, DateTimeOffset now) => $"{TimeText.Absolute(instant)} ({From(instant, now)})";
}
