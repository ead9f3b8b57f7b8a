namespace JitAdmission.Kubernetes.Api;

/// <summary>
/// The calls on one kind of webhook configuration, validating or mutating: the API server treats the two kinds alike,
/// so each call is written once here and <see cref="JitClient"/> only names the generated method behind it.
/// </summary>
public sealed class WebhookConfigurationCalls<T>
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    private const string ApiVersion = "admissionregistration.k8s.io/v1";

    private readonly Func<string, CancellationToken, Task<T>> _read;
    private readonly Func<V1Patch, string, CancellationToken, Task<T>> _apply;
    private readonly Func<T, string, CancellationToken, Task<T>> _replace;
    private readonly Func<string, CancellationToken, Task> _delete;

    /// <param name="apply">A server-side apply patch, forced, under our field manager.</param>
    /// <param name="replace">A replace under our field manager.</param>
    internal WebhookConfigurationCalls(
        string kind,
        Func<string, CancellationToken, Task<T>> read,
        Func<V1Patch, string, CancellationToken, Task<T>> apply,
        Func<T, string, CancellationToken, Task<T>> replace,
        Func<string, CancellationToken, Task> delete)
    {
        Kind = kind;
        _read = read;
        _apply = apply;
        _replace = replace;
        _delete = delete;
    }

    /// <summary><c>ValidatingWebhookConfiguration</c> or <c>MutatingWebhookConfiguration</c>.</summary>
    public string Kind { get; }

    public Task<ApiResult<T>> GetAsync(string name, CancellationToken cancellationToken) =>
        ApiCalls.RunAsync(() => _read(name, cancellationToken), cancellationToken);

    /// <summary>Server-side apply with force: we own the fields we send; fields others own (e.g. Helm labels) stay.</summary>
    public Task<ApiResult<T>> ApplyAsync(T desired, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(desired);
        var body = ForApply(desired);
        return ApiCalls.RunAsync(
            () => _apply(new V1Patch(KubernetesJson.Serialize(body), V1Patch.PatchType.ApplyPatch), body.Metadata.Name, cancellationToken), cancellationToken);
    }

    /// <summary>Replaces the whole object with optimistic concurrency (requires metadata.resourceVersion).</summary>
    public Task<ApiResult<T>> ReplaceAsync(T configuration, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        JitClient.Require(configuration.Metadata?.ResourceVersion, "metadata.resourceVersion");
        return ApiCalls.RunAsync(() => _replace(configuration, configuration.Metadata!.Name, cancellationToken), cancellationToken);
    }

    /// <summary>Value is true when deleted.</summary>
    public Task<ApiResult<bool>> DeleteAsync(string name, CancellationToken cancellationToken) =>
        ApiCalls.RunAsync(
            async () =>
            {
                await _delete(name, cancellationToken);
                return true;
            },
            cancellationToken);

    private T ForApply(T desired)
    {
        // Apply bodies must not carry server-owned metadata; work on a copy so the caller's object is untouched.
        var body = KubernetesJson.Deserialize<T>(KubernetesJson.Serialize(desired));
        JitClient.Require(body.Metadata?.Name, "metadata.name");
        body.ApiVersion = ApiVersion;
        body.Kind = Kind;
        body.Metadata!.ResourceVersion = null;
        body.Metadata.ManagedFields = null;
        body.Metadata.Uid = null;
        body.Metadata.CreationTimestamp = null;
        body.Metadata.Generation = null;
        return body;
    }
}
