using System.Threading.Channels;

namespace JitAdmission.Webhook.Gating;

/// <summary>One held call's wake-up: signalled on every change of its request; a signal before the wait is kept.</summary>
public sealed class HeldRequestWaiter : IDisposable
{
    private readonly HeldRequestWaiters _owner;
    private readonly Channel<bool> _signals = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    internal HeldRequestWaiter(HeldRequestWaiters owner, string key)
    {
        _owner = owner;
        Key = key;
    }

    internal string Key { get; }

    internal void Signal() => _signals.Writer.TryWrite(true);

    /// <summary>Returns true when the request changed, false when <paramref name="timeout"/> passed first.</summary>
    public async Task<bool> WaitAsync(TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        if (_signals.Reader.TryRead(out _)) return true;
        if (timeout <= TimeSpan.Zero) return false;
        using var timer = new CancellationTokenSource(timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timer.Token);
        try
        {
            await _signals.Reader.ReadAsync(linked.Token);
            return true;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    public void Dispose() => _owner.Unregister(this);
}
