namespace JitAdmission.Webhook;

/// <summary>A readiness check from a function returning null when ready, else the reason it is not.</summary>
internal sealed class DelegateReadinessCheck(string name, Func<string?> notReadyReason) : IReadinessCheck
{
    public string Name => name;

    public ValueTask<ReadinessResult> CheckAsync(CancellationToken cancellationToken)
    {
        var reason = notReadyReason();
        return ValueTask.FromResult(reason is null ? ReadinessResult.Ready : ReadinessResult.NotReady(reason));
    }
}
