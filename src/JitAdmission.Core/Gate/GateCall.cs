namespace JitAdmission.Core.Gate;

/// <summary>
/// One admission call the gate decides: the request, whether jit-admission itself made it, how the gate is set up,
/// when the call began and how long the transport gives it (the API server's timeout, less a margin).
/// </summary>
public sealed record GateCall(AdmissionAttributes Request, bool IsOperator, GateSettings Settings, DateTimeOffset Started, TimeSpan Budget)
{
    /// <summary>A hold ends no later than this: the margin leaves time to answer, and to record a last-moment use.</summary>
    public DateTimeOffset LatestHoldEnd => Started + Budget - GateMachine.HoldMargin;
}
