namespace JitAdmission.Kubernetes.Caching;

public sealed class ResourceCacheOptions
{
    /// <summary>Objects per page of the initial list and of every re-list.</summary>
    public int PageSize { get; set; } = 500;

    /// <summary>Each watch asks the server to end it after a random time in [min, 2×min), like client-go, so that
    /// watches are renewed and spread over time instead of all reconnecting together.</summary>
    public TimeSpan MinWatchTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long past the server-side timeout we wait before deciding the connection is dead.</summary>
    public TimeSpan WatchGrace { get; set; } = TimeSpan.FromSeconds(30);

    public TimeSpan InitialBackoff { get; set; } = TimeSpan.FromMilliseconds(500);

    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>After this many failed watch attempts in a row we re-list instead of resuming.</summary>
    public int RelistAfterFailures { get; set; } = 3;

    /// <summary>
    /// Drop <c>metadata.managedFields</c> from cached objects (listed, watched and upserted), as client-go's
    /// TransformStripManagedFields does: for small objects they are half the memory, and a cache whose readers never
    /// look at them need not keep them. Writes of a cached copy (status updates) omit them, and the API server then
    /// keeps the stored ones. Off by default: only for resources none of whose readers needs them.
    /// </summary>
    public bool StripManagedFields { get; set; }

    /// <summary>
    /// Applied to every object before it is cached (listed, watched or upserted), after
    /// <see cref="StripManagedFields"/>, like client-go's TransformFunc: for sharing or dropping what readers do not
    /// need distinct (e.g. <see cref="ApprovalRequestSharing"/>). It must not change what any reader sees.
    /// </summary>
    public Action<object>? Transform { get; set; }
}
