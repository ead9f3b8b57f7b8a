using JitAdmission.Core.Matching;

namespace JitAdmission.Kubernetes.Runtime;

/// <summary>
/// The current compiled <see cref="PolicySet"/> of the policy cache (reusing the compilation of unchanged policies),
/// so the webhook's hot path only reads a reference.
/// </summary>
/// <remarks>
/// A cache event only marks the set stale: a (re-)list delivers one event per policy, and rebuilding the whole set for
/// each made the start of a process with 1,000 policies quadratic. <see cref="Current"/> rebuilds a stale set before
/// it answers, so a reader never sees an older set than the cache holds; a background pass rebuilds once per burst of
/// events and then raises <see cref="Changed"/>.
/// </remarks>
public sealed class PolicySetProvider : IDisposable
{
    private readonly IResourceCacheReader<ApprovalPolicy> _policies;
    private readonly Lock _rebuild = new();
    private readonly IDisposable _subscription;
    private volatile PolicySet _current = PolicySet.Empty;
    private long _version;
    private long _builtVersion;
    private int _passQueued;

    public PolicySetProvider(IResourceCacheReader<ApprovalPolicy> policies)
    {
        _policies = policies;
        _subscription = policies.Subscribe(_ => MarkStale(), replayExisting: true);
    }

    public PolicySet Current
    {
        get
        {
            // Plain atomic reads: this runs on every admission request, Interlocked.Read would be two locked instructions.
            if (Volatile.Read(ref _builtVersion) != Volatile.Read(ref _version)) Refresh();
            return _current;
        }
    }

    /// <summary>How many times the set was rebuilt (for tests and diagnostics).</summary>
    public long Rebuilds { get; private set; }

    /// <summary>Raised after a burst of policy changes, once <see cref="Current"/> reflects it (on a thread-pool thread: keep handlers short).</summary>
    public event EventHandler? Changed;

    public void Dispose() => _subscription.Dispose();

    private void MarkStale()
    {
        Interlocked.Increment(ref _version);
        if (Interlocked.Exchange(ref _passQueued, 1) == 0) ThreadPool.UnsafeQueueUserWorkItem(static p => p.Pass(), this, preferLocal: false);
    }

    private void Pass()
    {
        // Cleared first: an event arriving during the rebuild queues another pass.
        Volatile.Write(ref _passQueued, 0);
        Refresh();
        Changed?.Invoke(this, EventArgs.Empty);
    }

    private void Refresh()
    {
        lock (_rebuild)
        {
            var version = Volatile.Read(ref _version);
            if (_builtVersion == version) return;
            // The cache updates its snapshot before it raises the event, so this list holds every change up to version.
            _current = PolicySet.Build(_policies.List(), _current);
            Rebuilds++;
            Volatile.Write(ref _builtVersion, version);
        }
    }
}
