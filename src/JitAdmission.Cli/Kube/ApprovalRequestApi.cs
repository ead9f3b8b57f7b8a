using System.Runtime.CompilerServices;

namespace JitAdmission.Cli.Kube;

/// <summary>The calls the plugin makes on ApprovalRequests, with API failures turned into friendly messages.</summary>
internal sealed class ApprovalRequestApi(IKubernetes client, Func<string?> username)
{
    /// <summary>Field manager of the plugin's writes (shows in managedFields who added a review).</summary>
    public const string FieldManager = "kubectl-jit";

    public static string Subject(string name, string @namespace) => $"approvalrequest \"{name}\" in namespace \"{@namespace}\"";

    private const string NotServed = "the ApprovalRequest API (approvalrequests.jitadmission.io/v1alpha1) is not served by this cluster: "
        + "install jit-admission's CRDs (crds/ or the Helm chart)";

    private CliException Explain(Exception e, string? subject = null) =>
        ApiErrors.IsMissingApi(e) ? new CliException(NotServed, e) : ApiErrors.Explain(e, subject, username());

    public async Task<FetchedRequest> GetAsync(string @namespace, string name, CancellationToken cancellationToken)
    {
        try
        {
            var raw = await client.CustomObjects.GetNamespacedCustomObjectAsync<JsonElement>(
                ApiConstants.Group, ApiConstants.Version, @namespace, ApiConstants.RequestPlural, name, cancellationToken);
            return new FetchedRequest(raw);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            throw Explain(e, Subject(name, @namespace));
        }
    }

    /// <summary>All requests in a namespace, or in every namespace when <paramref name="namespace"/> is null.</summary>
    public async Task<List<FetchedRequest>> ListAsync(string? @namespace, CancellationToken cancellationToken)
    {
        try
        {
            var list = @namespace is null
                ? await client.CustomObjects.ListCustomObjectForAllNamespacesAsync<JsonElement>(
                    ApiConstants.Group, ApiConstants.Version, ApiConstants.RequestPlural, cancellationToken: cancellationToken)
                : await client.CustomObjects.ListNamespacedCustomObjectAsync<JsonElement>(
                    ApiConstants.Group, ApiConstants.Version, @namespace, ApiConstants.RequestPlural, cancellationToken: cancellationToken);
            return list.TryGetProperty("items", out var items) && items.ValueKind == JsonValueKind.Array
                ? [.. items.EnumerateArray().Select(i => new FetchedRequest(i))]
                : [];
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            throw Explain(e);
        }
    }

    public async Task<FetchedRequest> CreateAsync(string @namespace, ApprovalRequest body, CancellationToken cancellationToken)
    {
        try
        {
            var raw = await client.CustomObjects.CreateNamespacedCustomObjectAsync<JsonElement>(
                body, ApiConstants.Group, ApiConstants.Version, @namespace, ApiConstants.RequestPlural,
                fieldManager: FieldManager, cancellationToken: cancellationToken);
            return new FetchedRequest(raw);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            throw Explain(e);
        }
    }

    /// <summary>Applies an RFC 6902 JSON patch; failures are returned to the caller to explain in context.</summary>
    public async Task<FetchedRequest> JsonPatchAsync(string @namespace, string name, string patch, CancellationToken cancellationToken)
    {
        var raw = await client.CustomObjects.PatchNamespacedCustomObjectAsync<JsonElement>(
            new V1Patch(patch, V1Patch.PatchType.JsonPatch), ApiConstants.Group, ApiConstants.Version, @namespace,
            ApiConstants.RequestPlural, name, fieldManager: FieldManager, cancellationToken: cancellationToken);
        return new FetchedRequest(raw);
    }

    /// <summary>Watches one request from <paramref name="resourceVersion"/>; ends when the server closes the watch.</summary>
    public async IAsyncEnumerable<RequestEvent> WatchAsync(
        string @namespace, string name, string resourceVersion, int timeoutSeconds,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var stream = client.CustomObjects.WatchListNamespacedCustomObjectAsync(
            ApiConstants.Group, ApiConstants.Version, @namespace, ApiConstants.RequestPlural,
            fieldSelector: $"metadata.name={name}", resourceVersion: resourceVersion, timeoutSeconds: timeoutSeconds,
            cancellationToken: cancellationToken);
        await foreach (var (type, element) in stream.WithCancellation(cancellationToken))
        {
            yield return type == WatchEventType.Error
                ? new RequestEvent(type, null, KubernetesJson.Deserialize<V1Status>(element.GetRawText()))
                : new RequestEvent(type, type == WatchEventType.Bookmark ? null : new FetchedRequest(element), null);
        }
    }
}
