namespace JitAdmission.Controller.Notifications;

/// <summary>A bounded set of recently seen keys: the oldest are forgotten first. Thread-safe.</summary>
internal sealed class DeduplicationSet(int capacity)
{
    private readonly Lock _gate = new();
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
    private readonly Queue<string> _order = new();
    private readonly int _capacity = Math.Max(1, capacity);

    /// <summary>True when the key is new (and now remembered); false when it was seen before.</summary>
    public bool Add(string key)
    {
        lock (_gate)
        {
            if (!_seen.Add(key)) return false;
            _order.Enqueue(key);
            while (_order.Count > _capacity) _seen.Remove(_order.Dequeue());
            return true;
        }
    }
}
