namespace JitAdmission.Controller.Queue;

public sealed class WorkQueueOptions
{
    /// <summary>First retry delay of a failing key; doubles per failure.</summary>
    public TimeSpan BaseDelay { get; set; } = TimeSpan.FromMilliseconds(5);

    /// <summary>Longest retry delay of a failing key.</summary>
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromMinutes(5);
}
