using JitAdmission.Kubernetes.Api;

namespace JitAdmission.Webhook.Gating;

/// <summary>The three API calls the gate makes on ApprovalRequests; expected refusals are outcomes, not exceptions.</summary>
public interface IApprovalRequestStore
{
    /// <summary>AlreadyExists when another replica (or an earlier try) created the same deterministic name first.</summary>
    Task<ApiResult<ApprovalRequest>> CreateAsync(ApprovalRequest request, CancellationToken cancellationToken);

    Task<ApiResult<ApprovalRequest>> GetAsync(string @namespace, string name, CancellationToken cancellationToken);

    /// <summary>Conflict unless <c>metadata.resourceVersion</c> is still current: how one use is never taken twice.</summary>
    Task<ApiResult<ApprovalRequest>> ReplaceStatusAsync(ApprovalRequest request, CancellationToken cancellationToken);
}

/// <summary><see cref="IApprovalRequestStore"/> on the API server, through <see cref="JitClient"/>.</summary>
public sealed class JitClientRequestStore(JitClient client) : IApprovalRequestStore
{
    public Task<ApiResult<ApprovalRequest>> CreateAsync(ApprovalRequest request, CancellationToken cancellationToken) =>
        client.CreateRequestAsync(request, cancellationToken);

    public Task<ApiResult<ApprovalRequest>> GetAsync(string @namespace, string name, CancellationToken cancellationToken) =>
        client.GetRequestAsync(@namespace, name, cancellationToken);

    public Task<ApiResult<ApprovalRequest>> ReplaceStatusAsync(ApprovalRequest request, CancellationToken cancellationToken) =>
        client.ReplaceRequestStatusAsync(request, cancellationToken);
}
