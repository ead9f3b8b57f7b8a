using System.Text.Json.Serialization;

namespace JitAdmission.Core.Api;

/// <summary>When set, the policy is active only inside a window (local wall-clock time of <see cref="TimeZone"/>).</summary>
public sealed class PolicySchedule
{
    /// <summary>IANA time zone, e.g. <c>Europe/Berlin</c>.</summary>
    [JsonPropertyName("timeZone")] public string TimeZone { get; set; } = "UTC";
    [JsonPropertyName("windows")] public List<ScheduleWindow> Windows { get; set; } = [];
}

/// <summary>A window that starts on one of <see cref="Days"/> at <see cref="From"/>; when <see cref="To"/> is not after
/// <see cref="From"/> it ends on the next day (e.g. Fri 18:00 to 08:00 covers Saturday morning).</summary>
public sealed class ScheduleWindow
{
    /// <summary>Mon, Tue, Wed, Thu, Fri, Sat, Sun; empty = every day.</summary>
    [JsonPropertyName("days")] public List<string> Days { get; set; } = [];
    /// <summary>HH:MM, 24h.</summary>
    [JsonPropertyName("from")] public string From { get; set; } = "00:00";
    /// <summary>HH:MM, 24h; 24:00 allowed for end of day.</summary>
    [JsonPropertyName("to")] public string To { get; set; } = "24:00";
}
