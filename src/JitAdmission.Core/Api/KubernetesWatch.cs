using System.Net.Http;
using System.Runtime.CompilerServices;
using k8s;
using k8s.Autorest;

namespace JitAdmission.Core.Api;

/// <summary>What a watch event says happened to its object (the event's <c>type</c>).</summary>
public enum WatchEventType
{
    Added,
    Modified,
    Deleted,
    Error,
    Bookmark,
}

/// <summary>
/// The Kubernetes API client, able to watch. KubernetesClient.Aot (the Native AOT build of KubernetesClient) has no
/// watcher: for a <c>watch=true</c> call it reads the first line as the body and keeps the rest of the stream to itself.
/// This client returns such a response unread instead, for <see cref="KubernetesWatch"/> to read line by line.
/// </summary>
public class WatchableKubernetes(KubernetesClientConfiguration config, params DelegatingHandler[] handlers)
    : k8s.Kubernetes(config, handlers)
{
    protected override Task<HttpOperationResponse<T>> CreateResultAsync<T>(
        HttpRequestMessage httpRequest, HttpResponseMessage httpResponse, bool? watch, CancellationToken cancellationToken) =>
        watch == true
            ? Task.FromResult(new HttpOperationResponse<T> { Request = httpRequest, Response = httpResponse })
            : base.CreateResultAsync<T>(httpRequest, httpResponse, watch, cancellationToken);
}

/// <summary>
/// Watches of custom resources (any resource: the core group is <c>""</c>) as KubernetesClient's WatchList…Async did:
/// each event's type and object; an object of kind Status (an error the server reports in the stream) goes to
/// <c>onError</c> as a <see cref="KubernetesException"/>, as does a line that is not a watch event. The enumeration ends
/// when the server closes the watch.
/// </summary>
public static class KubernetesWatch
{
    public static IAsyncEnumerable<(WatchEventType Type, JsonElement Object)> WatchListClusterCustomObjectAsync(
        this ICustomObjectsOperations operations, string group, string version, string plural, bool? allowWatchBookmarks = null,
        string? fieldSelector = null, string? labelSelector = null, string? resourceVersion = null, int? timeoutSeconds = null,
        Action<Exception>? onError = null, CancellationToken cancellationToken = default) =>
        ReadAsync(
            Watchable(operations).ListClusterCustomObjectWithHttpMessagesAsync<object>(
                group, version, plural, allowWatchBookmarks: allowWatchBookmarks, fieldSelector: fieldSelector,
                labelSelector: labelSelector, resourceVersion: resourceVersion, timeoutSeconds: timeoutSeconds, watch: true,
                cancellationToken: cancellationToken),
            onError, cancellationToken);

    public static IAsyncEnumerable<(WatchEventType Type, JsonElement Object)> WatchListNamespacedCustomObjectAsync(
        this ICustomObjectsOperations operations, string group, string version, string @namespace, string plural,
        bool? allowWatchBookmarks = null, string? fieldSelector = null, string? labelSelector = null, string? resourceVersion = null,
        int? timeoutSeconds = null, Action<Exception>? onError = null, CancellationToken cancellationToken = default) =>
        ReadAsync(
            Watchable(operations).ListNamespacedCustomObjectWithHttpMessagesAsync<object>(
                group, version, @namespace, plural, allowWatchBookmarks: allowWatchBookmarks, fieldSelector: fieldSelector,
                labelSelector: labelSelector, resourceVersion: resourceVersion, timeoutSeconds: timeoutSeconds, watch: true,
                cancellationToken: cancellationToken),
            onError, cancellationToken);

    private static ICustomObjectsOperations Watchable(ICustomObjectsOperations operations) =>
        operations is WatchableKubernetes
            ? operations
            : throw new InvalidOperationException($"watching needs a {nameof(WatchableKubernetes)} client");

    private static async IAsyncEnumerable<(WatchEventType Type, JsonElement Object)> ReadAsync(
        Task<HttpOperationResponse<object>> call, Action<Exception>? onError, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var response = await call.ConfigureAwait(false);
        using var reader = new StreamReader(await response.Response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false));
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            if (string.IsNullOrWhiteSpace(line)) continue;
            WatchEventType type;
            JsonElement item;
            V1Status? status;
            try
            {
                using var document = JsonDocument.Parse(line);
                type = ParseType(document.RootElement.GetProperty("type").GetString());
                item = document.RootElement.GetProperty("object").Clone();
                status = item.ValueKind == JsonValueKind.Object && item.TryGetProperty("kind", out var kind)
                    && kind.ValueKind == JsonValueKind.String && kind.ValueEquals("Status")
                    ? KubernetesJson.Deserialize<V1Status>(item)
                    : null;
            }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
            {
                onError?.Invoke(e);
                continue;
            }

            if (status is not null) onError?.Invoke(new KubernetesException(status));
            else yield return (type, item);
        }
    }

    private static WatchEventType ParseType(string? type) => type switch
    {
        "ADDED" => WatchEventType.Added,
        "MODIFIED" => WatchEventType.Modified,
        "DELETED" => WatchEventType.Deleted,
        "ERROR" => WatchEventType.Error,
        "BOOKMARK" => WatchEventType.Bookmark,
        _ => throw new JsonException($"unknown watch event type '{type}'"),
    };
}
