namespace JitAdmission.Controller.Queue;

/// <summary>
/// A controller work queue (client-go semantics). A key waiting in the queue is queued once however often it is
/// added; a key added while it is being processed is processed again after <see cref="Done"/>, never concurrently.
/// Failed keys come back after a per-key exponential delay (<see cref="AddRateLimited"/>, reset by
/// <see cref="Forget"/>); <see cref="AddAfter"/> delays a key on the <see cref="TimeProvider"/>, the earliest
/// deadline winning. <see cref="AddUrgent"/> puts a key ahead of every key added the ordinary way: a change someone
/// is waiting for (a review) must not queue behind thousands of new requests.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1711", Justification = "A work queue is what controllers call it (client-go, controller-runtime).")]
public sealed class WorkQueue<TKey> : IDisposable
    where TKey : notnull
{
    private static readonly TimeSpan MaxTimerWait = TimeSpan.FromDays(1);

    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private readonly WorkQueueOptions _options;
    // Keys to hand out, urgent ones first. A key can sit in both (or twice in one) after AddUrgent of a queued key or a
    // re-add after it was handed out: an entry counts only while its key is dirty and not in process (Ready).
    private readonly Queue<TKey> _queue = new();
    private readonly Queue<TKey> _urgent = new();
    private readonly HashSet<TKey> _urgentKeys = [];
    private readonly HashSet<TKey> _dirty = [];
    private readonly HashSet<TKey> _processing = [];
    private readonly LinkedList<TaskCompletionSource<bool>> _waiters = new();
    private readonly Dictionary<TKey, DateTimeOffset> _delayed = [];
    private readonly PriorityQueue<TKey, DateTimeOffset> _deadlines = new();
    private readonly Dictionary<TKey, int> _failures = [];
    private readonly ITimer _timer;
    private bool _shuttingDown;

    public WorkQueue(WorkQueueOptions options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _time = time;
        _timer = _time.CreateTimer(_ => OnTimer(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Keys ready to be handed out (not counting delayed or in-process keys).</summary>
    public int Count
    {
        get
        {
            lock (_gate) return _dirty.Count(k => !_processing.Contains(k));
        }
    }

    /// <summary>Keys waiting for a delay (<see cref="AddAfter"/>, <see cref="AddRateLimited"/>).</summary>
    public int DelayedCount
    {
        get
        {
            lock (_gate) return _delayed.Count;
        }
    }

    public bool IsShuttingDown
    {
        get
        {
            lock (_gate) return _shuttingDown;
        }
    }

    public void Add(TKey key)
    {
        TaskCompletionSource<bool>? wake;
        lock (_gate)
        {
            wake = AddLocked(key);
        }

        wake?.TrySetResult(true);
    }

    /// <summary>Adds the key ahead of every key added with <see cref="Add"/> (also when it is queued already).</summary>
    public void AddUrgent(TKey key)
    {
        TaskCompletionSource<bool>? wake = null;
        lock (_gate)
        {
            if (_shuttingDown) return;
            var added = _dirty.Add(key);
            _urgentKeys.Add(key);
            if (!_processing.Contains(key))
            {
                _urgent.Enqueue(key);
                if (added) wake = TakeWaiterLocked();
            }
        }

        wake?.TrySetResult(true);
    }

    /// <summary>Adds the key once <paramref name="delay"/> has passed; an earlier pending deadline for it wins.</summary>
    public void AddAfter(TKey key, TimeSpan delay)
    {
        if (delay <= TimeSpan.Zero)
        {
            Add(key);
            return;
        }

        lock (_gate)
        {
            if (_shuttingDown) return;
            var due = _time.GetUtcNow() + delay;
            if (_delayed.TryGetValue(key, out var existing) && existing <= due) return;
            _delayed[key] = due;
            _deadlines.Enqueue(key, due);
            ArmTimerLocked();
        }
    }

    /// <summary>Adds the key after its next backoff delay: base × 2^failures, capped.</summary>
    public void AddRateLimited(TKey key) => AddAfter(key, NextBackoff(key));

    /// <summary>Resets the key's failure count (call after it was processed successfully).</summary>
    public void Forget(TKey key)
    {
        lock (_gate) _failures.Remove(key);
    }

    /// <summary>How often the key has been re-queued with <see cref="AddRateLimited"/> since the last <see cref="Forget"/>.</summary>
    public int NumRequeues(TKey key)
    {
        lock (_gate) return _failures.GetValueOrDefault(key);
    }

    /// <summary>
    /// Waits for the next key and marks it as processing (call <see cref="Done"/> afterwards). Returns
    /// <c>(false, default)</c> once the queue is shut down and empty.
    /// </summary>
    public async Task<(bool Ok, TKey Key)> GetAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            TaskCompletionSource<bool> waiter;
            LinkedListNode<TaskCompletionSource<bool>> node;
            lock (_gate)
            {
                if (TryTakeLocked(out var key))
                {
                    _processing.Add(key);
                    _dirty.Remove(key);
                    _urgentKeys.Remove(key);
                    return (true, key);
                }

                if (_shuttingDown) return (false, default!);
                waiter = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
                node = _waiters.AddLast(waiter);
            }

            try
            {
                await waiter.Task.WaitAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                lock (_gate)
                {
                    if (node.List is not null) _waiters.Remove(node);
                }

                // We may have been chosen to take a key just as we were cancelled: pass the wake-up on.
                if (waiter.Task.IsCompletedSuccessfully) WakeOne();
                throw;
            }
        }
    }

    /// <summary>Marks the key as processed; if it was added meanwhile it is queued again now.</summary>
    public void Done(TKey key)
    {
        TaskCompletionSource<bool>? wake = null;
        lock (_gate)
        {
            _processing.Remove(key);
            if (_dirty.Contains(key))
            {
                (_urgentKeys.Contains(key) ? _urgent : _queue).Enqueue(key);
                wake = TakeWaiterLocked();
            }
        }

        wake?.TrySetResult(true);
    }

    /// <summary>Stops accepting keys and wakes every waiting getter; keys already queued are still handed out.</summary>
    public void ShutDown()
    {
        List<TaskCompletionSource<bool>> waiters;
        lock (_gate)
        {
            _shuttingDown = true;
            _delayed.Clear();
            _deadlines.Clear();
            waiters = [.. _waiters];
            _waiters.Clear();
        }

        _timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        foreach (var w in waiters) w.TrySetResult(true);
    }

    public void Dispose()
    {
        ShutDown();
        _timer.Dispose();
    }

    private TimeSpan NextBackoff(TKey key)
    {
        lock (_gate)
        {
            var failures = _failures.GetValueOrDefault(key);
            _failures[key] = failures + 1;
            var ms = _options.BaseDelay.TotalMilliseconds * Math.Pow(2, Math.Min(failures, 62));
            return ms >= _options.MaxDelay.TotalMilliseconds ? _options.MaxDelay : TimeSpan.FromMilliseconds(ms);
        }
    }

    private bool TryTakeLocked(out TKey key)
    {
        while (_urgent.TryDequeue(out key!) || _queue.TryDequeue(out key!))
            if (_dirty.Contains(key) && !_processing.Contains(key)) return true;
        key = default!;
        return false;
    }

    private TaskCompletionSource<bool>? AddLocked(TKey key)
    {
        if (_shuttingDown || !_dirty.Add(key)) return null;
        if (_processing.Contains(key)) return null; // Done() re-queues it
        _queue.Enqueue(key);
        return TakeWaiterLocked();
    }

    private TaskCompletionSource<bool>? TakeWaiterLocked()
    {
        var first = _waiters.First;
        if (first is null) return null;
        _waiters.RemoveFirst();
        return first.Value;
    }

    private void WakeOne()
    {
        TaskCompletionSource<bool>? wake;
        lock (_gate)
        {
            wake = _queue.Count + _urgent.Count > 0 ? TakeWaiterLocked() : null;
        }

        wake?.TrySetResult(true);
    }

    private void OnTimer()
    {
        var wakes = new List<TaskCompletionSource<bool>>();
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            while (_deadlines.TryPeek(out var key, out var due) && due <= now)
            {
                _deadlines.Dequeue();
                // Stale entries (superseded by an earlier deadline that already fired) are skipped.
                if (!_delayed.TryGetValue(key, out var current) || current != due) continue;
                _delayed.Remove(key);
                if (AddLocked(key) is { } w) wakes.Add(w);
            }

            ArmTimerLocked();
        }

        foreach (var w in wakes) w.TrySetResult(true);
    }

    private void ArmTimerLocked()
    {
        // Drop stale heads so the timer aims at a live deadline.
        while (_deadlines.TryPeek(out var key, out var due) && (!_delayed.TryGetValue(key, out var current) || current != due))
            _deadlines.Dequeue();
        if (!_deadlines.TryPeek(out _, out var next))
        {
            _timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            return;
        }

        // Timers cannot wait longer than ~49 days (a request may expire later): wake daily and re-arm.
        var wait = next - _time.GetUtcNow();
        _timer.Change(wait < TimeSpan.Zero ? TimeSpan.Zero : wait > MaxTimerWait ? MaxTimerWait : wait, Timeout.InfiniteTimeSpan);
    }
}
