using JitAdmission.Kubernetes.Caching;
using k8s;
using k8s.Models;

namespace JitAdmission.Kubernetes.Tests.Support;

/// <summary>Collects cache events for assertions; safe to read while the cache writes.</summary>
public sealed class EventLog<T>
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    private readonly List<ResourceEvent<T>> _events = [];

    public void Add(ResourceEvent<T> e)
    {
        lock (_events) _events.Add(e);
    }

    public IReadOnlyList<ResourceEvent<T>> Snapshot()
    {
        lock (_events) return [.. _events];
    }

    /// <summary>"Added w1", "Updated w1", … in arrival order, for objects whose name passes the filter.</summary>
    public IReadOnlyList<string> Lines(Func<string, bool>? filter = null) =>
        [.. Snapshot().Where(e => filter?.Invoke(e.Object.Metadata.Name) ?? true).Select(e => $"{e.Type} {e.Object.Metadata.Name}")];
}
