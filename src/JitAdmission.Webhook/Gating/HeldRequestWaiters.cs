using System.Collections.Concurrent;
using System.Collections.Immutable;
using JitAdmission.Core.Approval;

namespace JitAdmission.Webhook.Gating;

/// <summary>
/// Wakes held calls when their ApprovalRequest changes in the cache. One cache subscription serves every held call,
/// so a change costs a dictionary lookup however many calls are held. A call stays registered from its hold until it
/// has answered, so the controller can tell a use is on its way (<see cref="IHeldCalls"/>).
/// </summary>
public sealed class HeldRequestWaiters : IHeldCalls, IDisposable
{
    private readonly ConcurrentDictionary<string, ImmutableArray<HeldRequestWaiter>> _waiters = new(StringComparer.Ordinal);
    private readonly IDisposable _subscription;

    public HeldRequestWaiters(IResourceCacheReader<ApprovalRequest> requests)
    {
        ArgumentNullException.ThrowIfNull(requests);
        _subscription = requests.Subscribe(OnChange);
    }

    /// <summary>Registers before the caller reads the request, so no change between the read and the wait is missed.</summary>
    public HeldRequestWaiter Register(string @namespace, string name)
    {
        var key = ObjectKeys.For(@namespace, name);
        var waiter = new HeldRequestWaiter(this, key);
        _waiters.AddOrUpdate(key, static (_, w) => [w], static (_, list, w) => list.Add(w), waiter);
        return waiter;
    }

    /// <summary><paramref name="current"/> when it follows this request already, else a new registration (the old one ends).</summary>
    public HeldRequestWaiter Follow(HeldRequestWaiter? current, string @namespace, string name)
    {
        if (current is not null && current.Key == ObjectKeys.For(@namespace, name)) return current;
        current?.Dispose();
        return Register(@namespace, name);
    }

    public bool AnyFor(string @namespace, string name) => _waiters.ContainsKey(ObjectKeys.For(@namespace, name));

    /// <summary>Calls currently waiting (for tests and metrics).</summary>
    public int Count => _waiters.Values.Sum(w => w.Length);

    public void Dispose() => _subscription.Dispose();

    internal void Unregister(HeldRequestWaiter waiter)
    {
        while (_waiters.TryGetValue(waiter.Key, out var list))
        {
            var rest = list.Remove(waiter);
            if (rest.IsEmpty
                    ? _waiters.TryRemove(new KeyValuePair<string, ImmutableArray<HeldRequestWaiter>>(waiter.Key, list))
                    : _waiters.TryUpdate(waiter.Key, rest, list))
                return;
        }
    }

    private void OnChange(ResourceEvent<ApprovalRequest> change)
    {
        if (change.Object.Metadata?.Name is null) return;
        if (!_waiters.TryGetValue(ObjectKeys.For(change.Object), out var list)) return;
        foreach (var waiter in list) waiter.Signal();
    }
}
