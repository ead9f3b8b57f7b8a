using System.Collections.Immutable;
using k8s;
using k8s.Models;

namespace JitAdmission.Webhook.Context;

/// <summary>
/// Live copies of the ConfigMaps policies reference in <c>spec.context</c>: one small list+watch cache per ConfigMap
/// (field selector on its name), started when a policy starts referencing it and stopped when none does. Reads are
/// lock-free. A referenced ConfigMap not loaded yet is an error, not "absent": CEL must not mistake a cache still
/// starting for "no incident is open", so an Enforce policy fails closed for that moment.
/// </summary>
public sealed class ContextConfigMaps : IDisposable
{
    private readonly IKubernetes _client;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggers;
    private readonly Lock _gate = new();
    private volatile ImmutableDictionary<(string Namespace, string Name), Watch> _watched = ImmutableDictionary<(string, string), Watch>.Empty;

    public ContextConfigMaps(IKubernetes client, TimeProvider time, ILoggerFactory loggers)
    {
        _client = client;
        _time = time;
        _loggers = loggers;
    }

    /// <summary>The ConfigMaps being watched.</summary>
    public IReadOnlyCollection<(string Namespace, string Name)> Watched => [.. _watched.Keys];

    /// <summary>True when every watched ConfigMap has been loaded.</summary>
    public bool IsSynced => _watched.Values.All(w => w.Cache.IsSynced);

    /// <summary>The ConfigMap as JSON, or null when it does not exist. Throws while it is not known yet.</summary>
    public JsonElement? Get(string @namespace, string name)
    {
        if (!_watched.TryGetValue((@namespace, name), out var watched))
            throw new InvalidOperationException($"ConfigMap {@namespace}/{name} is not watched yet (its policy was just added)");
        if (!watched.Cache.IsSynced) throw new InvalidOperationException($"ConfigMap {@namespace}/{name} is not loaded yet");
        return watched.Cache.Get(@namespace, name) is { } configMap ? JsonViews.Of(configMap) : null;
    }

    /// <summary>Watches exactly the ConfigMaps these policies reference.</summary>
    public void Follow(PolicySet policies)
    {
        ArgumentNullException.ThrowIfNull(policies);
        var wanted = new HashSet<(string, string)>();
        foreach (var policy in policies.All)
            foreach (var reference in policy.Policy.Spec.Context)
                if (NameRules.IsDnsLabel(reference.ConfigMap.Namespace) && NameRules.IsDnsSubdomain(reference.ConfigMap.Name))
                    wanted.Add((reference.ConfigMap.Namespace, reference.ConfigMap.Name));

        lock (_gate)
        {
            var next = _watched;
            foreach (var (key, watched) in _watched)
            {
                if (wanted.Contains(key)) continue;
                watched.Stop();
                next = next.Remove(key);
            }

            foreach (var key in wanted)
                if (!next.ContainsKey(key)) next = next.Add(key, Start(key.Item1, key.Item2));
            _watched = next;
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            foreach (var watched in _watched.Values) watched.Stop();
            _watched = _watched.Clear();
        }
    }

    private Watch Start(string @namespace, string name)
    {
        var descriptor = ResourceDescriptor.ConfigMaps.InNamespace(@namespace).WithFieldSelector($"metadata.name={name}");
        var cache = new ResourceCache<V1ConfigMap>(_client, descriptor, _time, _loggers.CreateLogger<ResourceCache<V1ConfigMap>>());
        var stop = new CancellationTokenSource();
        _ = Task.Run(() => cache.RunAsync(stop.Token), CancellationToken.None);
        return new Watch(cache, stop);
    }

    private sealed record Watch(ResourceCache<V1ConfigMap> Cache, CancellationTokenSource Stopping)
    {
        // Cancelled, not disposed: the cache's loop may still be unwinding with this token.
        public void Stop() => Stopping.Cancel();
    }
}
