namespace JitAdmission.Webhook;

/// <summary>
/// A handler that must answer with its own verdict before the transport's deadline (the gate, which holds calls
/// while waiting for approval): the transport tells it how long it has. Past <paramref name="budget"/> the transport
/// answers fail-closed with a generic reason, so such a handler stops waiting a margin before it.
/// </summary>
public interface IDeadlineAwareAdmissionHandler : IAdmissionHandler
{
    /// <param name="budget">Time from this call until the transport's deadline (the API server's <c>?timeout=</c>
    /// minus the margin, at most the handler timeout); <paramref name="cancellationToken"/> fires when it passes.</param>
    ValueTask<AdmissionVerdict> HandleAsync(AdmissionAttributes request, TimeSpan budget, CancellationToken cancellationToken);
}
