using JitAdmission.Core.Api;
using JitAdmission.Core.Matching;
using JitAdmission.Kubernetes.Caching;

namespace JitAdmission.Kubernetes.Runtime;

/// <summary>
/// The current compiled <see cref="PolicySet"/>, rebuilt from the policy cache on every change (reusing the
/// compilation of unchanged policies), so the webhook's hot path only reads a reference.
/// </summary>
public sealed class PolicySetProvider : IDisposable
{
    private readonly IResourceCacheReader<ApprovalPolicy> _policies;
    private readonly Lock _rebuild = new();
    private readonly IDisposable _subscription;
    private volatile PolicySet _current = PolicySet.Empty;

    public PolicySetProvider(IResourceCacheReader<ApprovalPolicy> policies)
    {
        _policies = policies;
        _subscription = policies.Subscribe(_ => Rebuild(), replayExisting: true);
    }

    public PolicySet Current => _current;

    /// <summary>Raised after <see cref="Current"/> changed (on the cache's thread: keep handlers short).</summary>
    public event EventHandler? Changed;

    public void Dispose() => _subscription.Dispose();

    private void Rebuild()
    {
        lock (_rebuild)
        {
            _current = PolicySet.Build(_policies.List(), _current);
        }

        Changed?.Invoke(this, EventArgs.Empty);
    }
}
