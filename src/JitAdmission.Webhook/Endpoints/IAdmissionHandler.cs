namespace JitAdmission.Webhook;

/// <summary>
/// Decides one admission request; the transport does everything else (HTTP, parsing, limits, timeouts, metrics).
/// The objects in <paramref name="request"/> are slices of the request buffer, which is reused once the returned
/// task completes: copy anything needed afterwards (<see cref="RawObject.Element"/> is already a copy).
/// <paramref name="cancellationToken"/> fires when the API server hangs up or the transport's deadline passes.
/// A thrown exception or a missed deadline is answered fail-closed by the transport.
/// </summary>
public interface IAdmissionHandler
{
    ValueTask<AdmissionVerdict> HandleAsync(AdmissionAttributes request, CancellationToken cancellationToken);
}
