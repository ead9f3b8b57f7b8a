using System.Globalization;
using System.Threading.Channels;
using k8s.Autorest;
using Microsoft.Extensions.Options;

namespace JitAdmission.Kubernetes.Events;

public static class EventTypes
{
    public const string Normal = "Normal";
    public const string Warning = "Warning";
}

public interface IEventRecorder
{
    /// <summary>Queues a core/v1 Event about <paramref name="involved"/>; never throws and never blocks.</summary>
    void Record(IKubernetesObject<V1ObjectMeta> involved, string type, string reason, string message);
}

/// <summary>
/// Records Kubernetes Events (core v1) for our objects. <see cref="Record"/> only enqueues (bounded; overflow is
/// dropped and counted); <see cref="RunAsync"/> sends them one by one, folding an identical event (same object,
/// type, reason and message) within the aggregation window into the existing Event's count and lastTimestamp, as
/// kubectl describe shows ("x3 over 5m"). Failures are logged and dropped: events are best-effort by design.
/// </summary>
public sealed class EventRecorder : IEventRecorder
{
    private readonly IKubernetes _client;
    private readonly EventRecorderOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Channel<Pending> _queue;
    private readonly Dictionary<string, LinkedListNode<Sent>> _recent = new(StringComparer.Ordinal);
    private readonly LinkedList<Sent> _lru = new();
    private long _dropped;

    public EventRecorder(IKubernetes client, IOptions<EventRecorderOptions> options, TimeProvider time, ILogger<EventRecorder> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _client = client;
        _options = options.Value;
        _time = time;
        _logger = logger;
        _queue = Channel.CreateBounded<Pending>(new BoundedChannelOptions(Math.Max(1, _options.QueueCapacity))
        {
            FullMode = BoundedChannelFullMode.Wait, // with TryWrite this means "refuse", so drops can be counted
            SingleReader = true,
        });
    }

    /// <summary>Events refused because the queue was full.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    public void Normal(IKubernetesObject<V1ObjectMeta> involved, string reason, string message) => Record(involved, EventTypes.Normal, reason, message);

    public void Warning(IKubernetesObject<V1ObjectMeta> involved, string reason, string message) => Record(involved, EventTypes.Warning, reason, message);

    public void Record(IKubernetesObject<V1ObjectMeta> involved, string type, string reason, string message)
    {
        try
        {
            var meta = involved?.Metadata;
            if (involved is null || meta is null || string.IsNullOrEmpty(meta.Name))
            {
                EventRecorderLog.Invalid(_logger, reason);
                return;
            }

            if (message is { } m && m.Length > _options.MaxMessageLength) message = m[..Math.Max(0, _options.MaxMessageLength - 3)] + "...";
            var reference = new V1ObjectReference
            {
                ApiVersion = involved.ApiVersion,
                Kind = involved.Kind,
                Name = meta.Name,
                NamespaceProperty = meta.NamespaceProperty,
                Uid = meta.Uid,
                ResourceVersion = meta.ResourceVersion,
            };
            var pending = new Pending(reference, type, reason, message ?? "", _time.GetUtcNow().UtcDateTime);
            if (!_queue.Writer.TryWrite(pending))
                EventRecorderLog.Dropped(_logger, reason, Describe(reference), Interlocked.Increment(ref _dropped));
        }
        catch (Exception e)
        {
            EventRecorderLog.SendFailed(_logger, e, reason, involved?.Metadata?.Name ?? "?");
        }
    }

    /// <summary>Sends queued events until cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var pending in _queue.Reader.ReadAllAsync(cancellationToken))
            {
                try
                {
                    await SendAsync(pending, cancellationToken);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    throw;
                }
                catch (Exception e)
                {
                    EventRecorderLog.SendFailed(_logger, e, pending.Reason, Describe(pending.Involved));
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private async Task SendAsync(Pending pending, CancellationToken cancellationToken)
    {
        var key = string.Join('\u001f', pending.Involved.Uid, pending.Involved.Kind, pending.Involved.NamespaceProperty, pending.Involved.Name, pending.Type, pending.Reason, pending.Message);
        var ns = string.IsNullOrEmpty(pending.Involved.NamespaceProperty) ? _options.ClusterScopedNamespace : pending.Involved.NamespaceProperty;
        if (_recent.TryGetValue(key, out var node) && pending.Time - node.Value.Last < _options.AggregationWindow)
        {
            var sent = node.Value;
            try
            {
                await _client.CoreV1.PatchNamespacedEventAsync(
                    // KubernetesClient.Aot sends a patch given as JSON text only: an Event with just these two fields
                    // serializes to exactly them (null fields are left out), the time in Kubernetes' format.
                    new V1Patch(KubernetesJson.Serialize(new Corev1Event { Count = sent.Count + 1, LastTimestamp = pending.Time }), V1Patch.PatchType.MergePatch),
                    sent.Name, ns, cancellationToken: cancellationToken);
                Remember(key, sent with { Count = sent.Count + 1, Last = pending.Time });
                return;
            }
            catch (HttpOperationException e) when (e.Response?.StatusCode == System.Net.HttpStatusCode.NotFound)
            {
                // The Event expired (events have a TTL) or was deleted: start a new one.
            }
        }

        var name = $"{pending.Involved.Name}.{(pending.Time - DateTime.UnixEpoch).Ticks * 100:x}";
        var created = new Corev1Event
        {
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns },
            InvolvedObject = pending.Involved,
            Type = pending.Type,
            Reason = pending.Reason,
            Message = pending.Message,
            Count = 1,
            FirstTimestamp = pending.Time,
            LastTimestamp = pending.Time,
            Source = new V1EventSource { Component = _options.Component, Host = _options.Instance },
            ReportingComponent = _options.Component,
            ReportingInstance = _options.Instance ?? "",
        };
        try
        {
            await _client.CoreV1.CreateNamespacedEventAsync(created, ns, cancellationToken: cancellationToken);
        }
        catch (HttpOperationException e) when (e.Response?.StatusCode == System.Net.HttpStatusCode.Conflict)
        {
            // Same object, same instant (a coarse clock, another replica): any other name will do.
            created.Metadata.Name = name = $"{name}-{Guid.NewGuid():N}"[..Math.Min(name.Length + 9, 253)];
            await _client.CoreV1.CreateNamespacedEventAsync(created, ns, cancellationToken: cancellationToken);
        }

        Remember(key, new Sent(name, 1, pending.Time));
    }

    private void Remember(string key, Sent sent)
    {
        if (_recent.Remove(key, out var old)) _lru.Remove(old);
        _recent[key] = _lru.AddLast(sent with { Key = key });
        while (_recent.Count > Math.Max(1, _options.MaxAggregated) && _lru.First is { } oldest)
        {
            _lru.RemoveFirst();
            _recent.Remove(oldest.Value.Key);
        }
    }

    private static string Describe(V1ObjectReference r) =>
        string.Create(CultureInfo.InvariantCulture, $"{r.Kind} {(string.IsNullOrEmpty(r.NamespaceProperty) ? "" : r.NamespaceProperty + "/")}{r.Name}");

    private sealed record Pending(V1ObjectReference Involved, string Type, string Reason, string Message, DateTime Time);

    private sealed record Sent(string Name, int Count, DateTime Last, string Key = "");
}
