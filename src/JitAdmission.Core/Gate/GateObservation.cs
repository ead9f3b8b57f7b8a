namespace JitAdmission.Core.Gate;

/// <summary>What the webhook saw while carrying out an effect; <see cref="GateMachine.Next"/> turns it into the next effect.</summary>
public abstract record GateObservation;

/// <summary>How an API write ended, as the gate tells outcomes apart.</summary>
public enum WriteOutcome
{
    Ok,
    /// <summary>A create met an object of that name.</summary>
    AlreadyExists,
    /// <summary>A conditional write met a newer version.</summary>
    Conflict,
    NotFound,
    /// <summary>Anything else (forbidden, invalid, unavailable): <see cref="Wrote.Message"/> says what.</summary>
    Failed,
}

/// <summary>A <see cref="CreateRequest"/> or <see cref="WriteStatus"/> ended; <see cref="Object"/> is what the API server stored (when Ok).</summary>
public sealed record Wrote(WriteOutcome Outcome, ApprovalRequest? Object = null, string Message = "") : GateObservation;

/// <summary>A <see cref="ReadRequest"/> ended (whatever it found is in the cache now).</summary>
public sealed record Observed : GateObservation
{
    public static readonly Observed Instance = new();

    private Observed()
    {
    }
}

/// <summary>A <see cref="WaitForChange"/> ended: the request changed, or the time passed.</summary>
public sealed record Woke(bool Changed) : GateObservation;

/// <summary>Carrying out the effect threw: the call fails closed with this reason.</summary>
public sealed record Failed(string Reason) : GateObservation;
