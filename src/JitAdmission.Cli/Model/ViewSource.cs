namespace JitAdmission.Cli.Model;

/// <summary>Where the phase and progress shown for a request come from.</summary>
internal enum ViewSource
{
    /// <summary>jit-admission's status, up to date with the spec: the source of truth.</summary>
    Status,
    /// <summary>Computed here with the operator's own evaluator from the live policies, because the status is missing or
    /// older than the latest reviews; it is what jit-admission will write.</summary>
    Evaluated,
    /// <summary>Neither an up-to-date status nor readable policies: the last status written, if any.</summary>
    StaleStatus,
    /// <summary>No status and no readable policies: nothing is known beyond the spec.</summary>
    Unknown,
}
