namespace JitAdmission.Core.Gate;

/// <summary>What the call is waiting for: the effect <see cref="GateMachine"/> asked for last.</summary>
public enum GateStage
{
    /// <summary>Nothing outstanding (before the first plan, or after the answer).</summary>
    Planning,
    /// <summary>Creating the ApprovalRequest for the change.</summary>
    Creating,
    /// <summary>Creating the break-glass record.</summary>
    RecordingBreakGlass,
    /// <summary>Writing a use of an approval.</summary>
    Using,
    /// <summary>Held: waiting for the request to change or the next deadline.</summary>
    Holding,
    /// <summary>A use was lost right after the approval: waiting a moment for the winner's write to reach the cache.</summary>
    AwaitingWinner,
    /// <summary>Reading a request from the API server.</summary>
    Reading,
}

/// <summary>
/// Where one call stands between two steps of <see cref="GateMachine"/>. Immutable: each step returns a new state.
/// </summary>
public sealed record GateState
{
    public required GateCall Call { get; init; }

    public GateStage Stage { get; init; }

    /// <summary>The plan being carried out; null before the first.</summary>
    public AdmissionPlan? Plan { get; init; }

    /// <summary>Plans made so far; each one after the first follows a race (conflict, concurrent create, approval).</summary>
    public int Rounds { get; init; }

    /// <summary>The call has held (with a wait longer than zero): its answer ends a hold in the metrics.</summary>
    public bool Held { get; init; }

    /// <summary>A use was lost to a concurrent writer at least once.</summary>
    public bool LostUse { get; init; }

    /// <summary>The held request this call last saw fresh from the API server (created or read it), and when.</summary>
    public CheckedRequest? Checked { get; init; }

    /// <summary>While <see cref="GateStage.AwaitingWinner"/>: the resourceVersion the lost use was written against.</summary>
    public string? StaleVersion { get; init; }
}

/// <summary>A request (namespace/name) the call created or read from the API server itself, at <see cref="At"/>.</summary>
public sealed record CheckedRequest(string Key, DateTimeOffset At);
