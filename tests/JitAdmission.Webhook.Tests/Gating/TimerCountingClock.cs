using Microsoft.Extensions.Time.Testing;

namespace JitAdmission.Webhook.Tests.Gating;

/// <summary>
/// A view of a <see cref="FakeTimeProvider"/> that counts the timers created through it and not yet disposed, so a
/// test advances the clock only once a held call has armed its wake-up. A held call reads the time, then arms a timer
/// for the rest of its wait; an advance between the two moves the timer's due time past the advance, and the call
/// never wakes (this hung CI). Several views may share one clock: each counts only its own handler's timers.
/// </summary>
internal sealed class TimerCountingClock(FakeTimeProvider clock) : TimeProvider
{
    private int _armed;

    public FakeTimeProvider Clock { get; } = clock;

    /// <summary>Timers created here and not yet disposed.</summary>
    public int ArmedTimers => Volatile.Read(ref _armed);

    public override DateTimeOffset GetUtcNow() => Clock.GetUtcNow();

    public override long GetTimestamp() => Clock.GetTimestamp();

    public override long TimestampFrequency => Clock.TimestampFrequency;

    public override TimeZoneInfo LocalTimeZone => Clock.LocalTimeZone;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = Clock.CreateTimer(callback, state, dueTime, period);
        Interlocked.Increment(ref _armed);
        return new CountedTimer(this, timer);
    }

    private sealed class CountedTimer(TimerCountingClock owner, ITimer inner) : ITimer
    {
        private int _disposed;

        public bool Change(TimeSpan dueTime, TimeSpan period) => inner.Change(dueTime, period);

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0) Interlocked.Decrement(ref owner._armed);
            inner.Dispose();
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
