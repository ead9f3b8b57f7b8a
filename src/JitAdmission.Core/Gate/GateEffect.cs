namespace JitAdmission.Core.Gate;

/// <summary>What <see cref="GateMachine"/> asks the webhook to do next; each but <see cref="Answer"/> is followed by one observation.</summary>
public abstract record GateEffect;

/// <summary>
/// Answer the API server. <see cref="Hold"/> says how the call's hold ended when it held (null when it never held, or
/// when it failed: then the hold counts as cancelled).
/// </summary>
public sealed record Answer(AdmissionVerdict Verdict, HoldResult? Hold = null) : GateEffect;

/// <summary>Create the ApprovalRequest (a new request for the change, or a break-glass record); observe <see cref="Wrote"/>.</summary>
public sealed record CreateRequest(ApprovalRequest Request) : GateEffect;

/// <summary>
/// Replace the status of <see cref="Request"/> (which carries the new status), conditional on its resourceVersion, so
/// two writers never both take one use; observe <see cref="Wrote"/>.
/// </summary>
public sealed record WriteStatus(ApprovalRequest Request) : GateEffect;

/// <summary>
/// Read the request's latest version from the API server into the cache after a pause of up to <see cref="Jitter"/>,
/// chosen at random (calls that lost a use to each other must not retry in lockstep); observe <see cref="Observed"/>.
/// </summary>
public sealed record ReadRequest(string Namespace, string Name, TimeSpan Jitter) : GateEffect;

/// <summary>
/// Wait until the cached request changes or <see cref="Until"/> (by the clock) passes, whichever is first; observe
/// <see cref="Woke"/>. <see cref="Jitter"/>, when not zero, replaces <see cref="Until"/> by a random pause of up to that long.
/// The webhook follows the request from the first wait until the answer, so no change after the machine read the
/// cache is missed: when it starts following a request it reports a change at once instead of waiting.
/// </summary>
public sealed record WaitForChange(string Namespace, string Name, DateTimeOffset Until, TimeSpan Jitter = default) : GateEffect;
