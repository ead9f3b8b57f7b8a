namespace JitAdmission.Webhook;

/// <summary>
/// One condition <c>/readyz</c> waits for (e.g. "caches synced"). Register with
/// <see cref="WebhookServiceCollectionExtensions.AddReadinessCheck{T}"/>; keep it cheap, probes call it often.
/// </summary>
public interface IReadinessCheck
{
    /// <summary>Shown in the <c>/readyz</c> body.</summary>
    string Name { get; }

    ValueTask<ReadinessResult> CheckAsync(CancellationToken cancellationToken);
}

/// <summary>Ready, or not with a reason for operators.</summary>
public readonly record struct ReadinessResult(bool IsReady, string? Reason)
{
    public static ReadinessResult Ready => new(true, null);

    public static ReadinessResult NotReady(string reason) => new(false, reason);
}
