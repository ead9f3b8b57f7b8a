namespace JitAdmission.Kubernetes.Caching;

public enum ResourceEventType
{
    Added,
    Updated,
    Deleted,
}

/// <summary>
/// A change seen by a <see cref="ResourceCache{T}"/>. Added: only <see cref="NewObject"/>; Updated: both;
/// Deleted: only <see cref="OldObject"/> (the last state known, as sent by the server when it said so).
/// </summary>
public sealed record ResourceEvent<T>(ResourceEventType Type, T? OldObject, T? NewObject)
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    /// <summary>The object the event is about: the new state, or the last state for a deletion.</summary>
    public T Object => NewObject ?? OldObject ?? throw new InvalidOperationException("event without object");
}
