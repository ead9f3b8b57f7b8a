using JitAdmission.Core.Gate;

namespace JitAdmission.Webhook;

/// <summary>
/// One call held while waiting for approval: counted in <c>jitadmission_held_calls</c> until completed or disposed,
/// then its wait is observed in <c>jitadmission_approval_wait_seconds{result}</c>.
/// </summary>
public sealed class HeldCall : IDisposable
{
    private readonly AdmissionMetrics _metrics;
    private readonly long _started;
    private int _done;

    internal HeldCall(AdmissionMetrics metrics, long started)
    {
        _metrics = metrics;
        _started = started;
    }

    public void Complete(HoldResult result)
    {
        if (Interlocked.Exchange(ref _done, 1) == 0) _metrics.EndHold(_started, result);
    }

    /// <summary>Ends the hold as <see cref="HoldResult.Cancelled"/> unless <see cref="Complete"/> was called.</summary>
    public void Dispose() => Complete(HoldResult.Cancelled);
}
