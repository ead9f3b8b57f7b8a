namespace JitAdmission.Kubernetes.Api;

/// <summary>
/// The writes jit-admission makes, typed, with expected refusals as <see cref="ApiResult{T}"/> outcomes.
/// Status writes are optimistic (they require <c>metadata.resourceVersion</c>): a <see cref="ApiOutcome.Conflict"/>
/// means someone else wrote first, which is how two webhook replicas never both consume a single-use approval.
/// Every write carries the <see cref="ApiConstants.FieldManager"/> field manager. Patches are passed as JSON text, the
/// only form KubernetesClient.Aot sends.
/// </summary>
public sealed class JitClient(IKubernetes client)
{
    private const string Manager = ApiConstants.FieldManager;

    public IKubernetes Kubernetes => client;

    // ApprovalRequests (namespaced)

    public Task<ApiResult<ApprovalRequest>> CreateRequestAsync(ApprovalRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var ns = Require(request.Metadata.NamespaceProperty, "metadata.namespace");
        return ApiCalls.RunAsync(
            () => client.CustomObjects.CreateNamespacedCustomObjectAsync<ApprovalRequest>(
                request, ApiConstants.Group, ApiConstants.Version, ns, ApiConstants.RequestPlural, fieldManager: Manager, cancellationToken: cancellationToken),
            cancellationToken);
    }

    public Task<ApiResult<ApprovalRequest>> GetRequestAsync(string @namespace, string name, CancellationToken cancellationToken) =>
        ApiCalls.RunAsync(
            () => client.CustomObjects.GetNamespacedCustomObjectAsync<ApprovalRequest>(
                ApiConstants.Group, ApiConstants.Version, @namespace, ApiConstants.RequestPlural, name, cancellationToken),
            cancellationToken);

    /// <summary>Replaces the status subresource; fails with Conflict unless the resourceVersion is still current.</summary>
    public Task<ApiResult<ApprovalRequest>> ReplaceRequestStatusAsync(ApprovalRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var ns = Require(request.Metadata.NamespaceProperty, "metadata.namespace");
        Require(request.Metadata.ResourceVersion, "metadata.resourceVersion");
        return ApiCalls.RunAsync(
            () => client.CustomObjects.ReplaceNamespacedCustomObjectStatusAsync<ApprovalRequest>(
                request, ApiConstants.Group, ApiConstants.Version, ns, ApiConstants.RequestPlural, request.Metadata.Name,
                fieldManager: Manager, cancellationToken: cancellationToken),
            cancellationToken);
    }

    /// <summary>Deletes a request; with <paramref name="uid"/>/<paramref name="resourceVersion"/> only that very version
    /// (a changed or re-created object gives Conflict). Value is true when deleted.</summary>
    public Task<ApiResult<bool>> DeleteRequestAsync(string @namespace, string name, string? uid, string? resourceVersion, CancellationToken cancellationToken) =>
        ApiCalls.RunAsync(
            async () =>
            {
                await client.CustomObjects.DeleteNamespacedCustomObjectAsync(
                    ApiConstants.Group, ApiConstants.Version, @namespace, ApiConstants.RequestPlural, name,
                    Preconditions(uid, resourceVersion), cancellationToken: cancellationToken);
                return true;
            },
            cancellationToken);

    // ApprovalPolicies (cluster-scoped)

    public Task<ApiResult<ApprovalPolicy>> GetPolicyAsync(string name, CancellationToken cancellationToken) =>
        ApiCalls.RunAsync(
            () => client.CustomObjects.GetClusterCustomObjectAsync<ApprovalPolicy>(ApiConstants.Group, ApiConstants.Version, ApiConstants.PolicyPlural, name, cancellationToken),
            cancellationToken);

    /// <summary>Replaces the status subresource with optimistic concurrency.</summary>
    public Task<ApiResult<ApprovalPolicy>> ReplacePolicyStatusAsync(ApprovalPolicy policy, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(policy);
        Require(policy.Metadata.ResourceVersion, "metadata.resourceVersion");
        return ApiCalls.RunAsync(
            () => client.CustomObjects.ReplaceClusterCustomObjectStatusAsync<ApprovalPolicy>(
                policy, ApiConstants.Group, ApiConstants.Version, ApiConstants.PolicyPlural, policy.Metadata.Name,
                fieldManager: Manager, cancellationToken: cancellationToken),
            cancellationToken);
    }

    /// <summary>Sets the whole status with a JSON merge patch (no resourceVersion: last writer wins, fine for derived status).</summary>
    public Task<ApiResult<ApprovalPolicy>> PatchPolicyStatusAsync(string name, ApprovalPolicyStatus status, CancellationToken cancellationToken) =>
        ApiCalls.RunAsync(
            () => client.CustomObjects.PatchClusterCustomObjectStatusAsync<ApprovalPolicy>(
                new V1Patch($$"""{"status":{{KubernetesJson.Serialize(status)}}}""", V1Patch.PatchType.MergePatch), ApiConstants.Group, ApiConstants.Version, ApiConstants.PolicyPlural, name,
                fieldManager: Manager, cancellationToken: cancellationToken),
            cancellationToken);

    // Webhook configurations (owned by the controller)

    public WebhookConfigurationCalls<V1ValidatingWebhookConfiguration> ValidatingWebhookConfigurations { get; } = new(V1ValidatingWebhookConfiguration.KubeKind,
        (name, ct) => client.AdmissionregistrationV1.ReadValidatingWebhookConfigurationAsync(name, cancellationToken: ct),
        (patch, name, ct) => client.AdmissionregistrationV1.PatchValidatingWebhookConfigurationAsync(patch, name, fieldManager: Manager, force: true, cancellationToken: ct),
        (body, name, ct) => client.AdmissionregistrationV1.ReplaceValidatingWebhookConfigurationAsync(body, name, fieldManager: Manager, cancellationToken: ct),
        (name, ct) => client.AdmissionregistrationV1.DeleteValidatingWebhookConfigurationAsync(name, cancellationToken: ct));

    public WebhookConfigurationCalls<V1MutatingWebhookConfiguration> MutatingWebhookConfigurations { get; } = new(V1MutatingWebhookConfiguration.KubeKind,
        (name, ct) => client.AdmissionregistrationV1.ReadMutatingWebhookConfigurationAsync(name, cancellationToken: ct),
        (patch, name, ct) => client.AdmissionregistrationV1.PatchMutatingWebhookConfigurationAsync(patch, name, fieldManager: Manager, force: true, cancellationToken: ct),
        (body, name, ct) => client.AdmissionregistrationV1.ReplaceMutatingWebhookConfigurationAsync(body, name, fieldManager: Manager, cancellationToken: ct),
        (name, ct) => client.AdmissionregistrationV1.DeleteMutatingWebhookConfigurationAsync(name, cancellationToken: ct));

    // Secrets (certificates)

    public Task<ApiResult<V1Secret>> GetSecretAsync(string @namespace, string name, CancellationToken cancellationToken) =>
        ApiCalls.RunAsync(() => client.CoreV1.ReadNamespacedSecretAsync(name, @namespace, cancellationToken: cancellationToken), cancellationToken);

    public Task<ApiResult<V1Secret>> CreateSecretAsync(V1Secret secret, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(secret);
        var ns = Require(secret.Metadata?.NamespaceProperty, "metadata.namespace");
        return ApiCalls.RunAsync(() => client.CoreV1.CreateNamespacedSecretAsync(secret, ns, fieldManager: Manager, cancellationToken: cancellationToken), cancellationToken);
    }

    /// <summary>Replaces a Secret with optimistic concurrency (requires metadata.resourceVersion).</summary>
    public Task<ApiResult<V1Secret>> ReplaceSecretAsync(V1Secret secret, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(secret);
        var ns = Require(secret.Metadata?.NamespaceProperty, "metadata.namespace");
        Require(secret.Metadata!.ResourceVersion, "metadata.resourceVersion");
        return ApiCalls.RunAsync(
            () => client.CoreV1.ReplaceNamespacedSecretAsync(secret, secret.Metadata.Name, ns, fieldManager: Manager, cancellationToken: cancellationToken),
            cancellationToken);
    }

    private static V1DeleteOptions? Preconditions(string? uid, string? resourceVersion) =>
        uid is null && resourceVersion is null ? null : new V1DeleteOptions { Preconditions = new V1Preconditions { Uid = uid, ResourceVersion = resourceVersion } };

    internal static string Require(string? value, string what) =>
        string.IsNullOrEmpty(value) ? throw new ArgumentException($"{what} is required") : value;
}
