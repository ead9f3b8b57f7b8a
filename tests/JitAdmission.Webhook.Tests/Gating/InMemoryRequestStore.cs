using System.Globalization;
using JitAdmission.Core.Api;
using JitAdmission.Core.Approval;
using JitAdmission.Kubernetes.Api;
using JitAdmission.Kubernetes.Caching;
using JitAdmission.Webhook.Gating;

namespace JitAdmission.Webhook.Tests.Gating;

/// <summary>
/// The API server's side of the gate's three calls, in memory, with its rules: names are unique (AlreadyExists),
/// status writes need the current resourceVersion (Conflict). <see cref="WriteBehindTheCache"/> plays another replica.
/// </summary>
internal sealed class InMemoryRequestStore(TimeProvider time) : IApprovalRequestStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, ApprovalRequest> _objects = new(StringComparer.Ordinal);
    private long _version = 100;

    /// <summary>When set, creates fail with this outcome (e.g. Forbidden).</summary>
    public ApiOutcome? FailCreates { get; set; }

    /// <summary>Status writes wait for this before answering (to line up concurrent writers).</summary>
    public Task? HoldStatusWrites { get; set; }

    public int StatusWrites { get; private set; }

    /// <summary>GETs the gate made (it reads only when its cache cannot tell it what changed).</summary>
    public int Reads => Volatile.Read(ref _reads);

    private int _reads;

    /// <summary>Status writes waiting for <see cref="HoldStatusWrites"/>.</summary>
    public int WaitingWrites => Volatile.Read(ref _waitingWrites);

    private int _waitingWrites;

    public IReadOnlyList<ApprovalRequest> All
    {
        get
        {
            lock (_gate) return [.. _objects.Values.Select(KubernetesObjects.DeepCopy)];
        }
    }

    public ApprovalRequest? Find(string @namespace, string name)
    {
        lock (_gate) return _objects.TryGetValue(ObjectKeys.For(@namespace, name), out var found) ? KubernetesObjects.DeepCopy(found) : null;
    }

    public Task<ApiResult<ApprovalRequest>> CreateAsync(ApprovalRequest request, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (FailCreates is { } outcome) return Task.FromResult(new ApiResult<ApprovalRequest>(outcome, Message: "approvalrequests is forbidden: test"));
            var key = ObjectKeys.For(request);
            if (_objects.ContainsKey(key)) return Task.FromResult(new ApiResult<ApprovalRequest>(ApiOutcome.AlreadyExists, Message: "already exists"));
            var stored = KubernetesObjects.DeepCopy(request);
            stored.Metadata.Uid = Guid.NewGuid().ToString();
            stored.Metadata.CreationTimestamp = TimeText.ToApi(time.GetUtcNow());
            stored.Metadata.ResourceVersion = NextVersion();
            _objects[key] = stored;
            return Task.FromResult(ApiResult.Ok(KubernetesObjects.DeepCopy(stored)));
        }
    }

    public Task<ApiResult<ApprovalRequest>> GetAsync(string @namespace, string name, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _reads);
        return Task.FromResult(Find(@namespace, name) is { } found ? ApiResult.Ok(found) : new ApiResult<ApprovalRequest>(ApiOutcome.NotFound, Message: "not found"));
    }

    public async Task<ApiResult<ApprovalRequest>> ReplaceStatusAsync(ApprovalRequest request, CancellationToken cancellationToken)
    {
        if (HoldStatusWrites is { } hold)
        {
            Interlocked.Increment(ref _waitingWrites);
            await hold;
            Interlocked.Decrement(ref _waitingWrites);
        }
        lock (_gate)
        {
            StatusWrites++;
            if (!_objects.TryGetValue(ObjectKeys.For(request), out var stored)) return new ApiResult<ApprovalRequest>(ApiOutcome.NotFound, Message: "not found");
            if (stored.Metadata.ResourceVersion != request.Metadata.ResourceVersion)
                return new ApiResult<ApprovalRequest>(ApiOutcome.Conflict, Message: "the object has been modified");
            stored.Status = KubernetesObjects.DeepCopy(request).Status;
            stored.Metadata.ResourceVersion = NextVersion();
            return ApiResult.Ok(KubernetesObjects.DeepCopy(stored));
        }
    }

    /// <summary>A write the gate's cache has not seen yet (another replica, or a watch lagging behind).</summary>
    public ApprovalRequest WriteBehindTheCache(string @namespace, string name, Action<ApprovalRequest> change)
    {
        lock (_gate)
        {
            var stored = _objects[ObjectKeys.For(@namespace, name)];
            change(stored);
            stored.Metadata.ResourceVersion = NextVersion();
            return KubernetesObjects.DeepCopy(stored);
        }
    }

    private string NextVersion() => (++_version).ToString(CultureInfo.InvariantCulture);
}
