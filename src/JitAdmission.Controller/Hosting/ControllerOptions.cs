namespace JitAdmission.Controller.Hosting;

/// <summary>Settings of the reconcile loops; configuration section <c>Controller</c>.</summary>
public sealed class ControllerOptions
{
    public const string SectionName = "Controller";

    /// <summary>ApprovalRequests reconciled at once (one key is never reconciled twice at once).</summary>
    public int RequestWorkers { get; set; } = 2;

    /// <summary>ApprovalPolicies reconciled at once.</summary>
    public int PolicyWorkers { get; set; } = 1;

    /// <summary>First retry delay of a key whose reconcile failed (API errors); doubles per failure.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(10);

    /// <summary>
    /// Longest retry delay. Kept short: a request whose expiry could not be written while the API server was down
    /// must expire soon after it is back, and nothing else would wake it.
    /// </summary>
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromSeconds(15);
}
