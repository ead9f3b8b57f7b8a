using System.Net;

namespace JitAdmission.Kubernetes.Caching;

internal static partial class ResourceCacheLog
{
    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "Listed {Resource}: {Count} objects at resourceVersion {ResourceVersion}")]
    public static partial void Listed(ILogger logger, string resource, int count, string? resourceVersion);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Warning, Message = "Listing {Resource} failed (attempt {Attempt}); retrying in {Delay}")]
    public static partial void ListFailed(ILogger logger, Exception exception, string resource, int attempt, TimeSpan delay);

    [LoggerMessage(EventId = 1010, Level = LogLevel.Warning,
        Message = "Listing {Resource} failed: the API server does not serve it (404 Not Found). Are the CRDs installed (kubectl apply -f crds/, or the Helm chart)? Attempt {Attempt}; retrying in {Delay}")]
    public static partial void ListNotServed(ILogger logger, string resource, int attempt, TimeSpan delay);

    [LoggerMessage(EventId = 1011, Level = LogLevel.Warning, Message = "Listing {Resource} failed: {Code} {Status}: {Reason} (attempt {Attempt}); retrying in {Delay}")]
    public static partial void ListRefused(ILogger logger, string resource, int code, HttpStatusCode status, string reason, int attempt, TimeSpan delay);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Information, Message = "Watch of {Resource} from resourceVersion {ResourceVersion} expired (410 Gone); re-listing")]
    public static partial void WatchExpired(ILogger logger, string resource, string? resourceVersion);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Warning, Message = "Watch of {Resource} failed (attempt {Attempt}, relist: {Relist}); retrying in {Delay}")]
    public static partial void WatchFailed(ILogger logger, Exception exception, string resource, int attempt, bool relist, TimeSpan delay);

    [LoggerMessage(EventId = 1005, Level = LogLevel.Debug, Message = "Watch of {Resource} ended after {Events} events; resuming from {ResourceVersion}")]
    public static partial void WatchEnded(ILogger logger, string resource, int events, string? resourceVersion);

    [LoggerMessage(EventId = 1006, Level = LogLevel.Information, Message = "Watch of {Resource} from {ResourceVersion} ended without any event or bookmark; re-listing to make sure nothing was missed")]
    public static partial void WatchSilent(ILogger logger, string resource, string? resourceVersion);

    [LoggerMessage(EventId = 1007, Level = LogLevel.Error, Message = "Cannot decode a {Resource} object ({Name}); it is left out of the cache")]
    public static partial void DecodeFailed(ILogger logger, Exception exception, string resource, string? name);

    [LoggerMessage(EventId = 1008, Level = LogLevel.Error, Message = "A {Resource} event handler or index function threw")]
    public static partial void HandlerFailed(ILogger logger, Exception exception, string resource);

    [LoggerMessage(EventId = 1009, Level = LogLevel.Warning, Message = "Watch of {Resource} sent an error event: {Code} {Reason} {Message}")]
    public static partial void WatchErrorEvent(ILogger logger, string resource, int? code, string? reason, string? message);
}
