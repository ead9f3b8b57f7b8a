using JitAdmission.Core.Admission;
using Microsoft.Extensions.Options;

namespace JitAdmission.Kubernetes.Runtime;

/// <summary>
/// Who jit-admission is to the API server (from a SelfSubjectReview at start): only this identity writes
/// ApprovalRequest status, and its own requests are never gated.
/// </summary>
public sealed class OperatorIdentity
{
    private volatile string? _username;

    public OperatorIdentity(IOptions<OperatorOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Namespace = options.Value.ResolveNamespace();
    }

    /// <summary>The namespace the operator works in (Lease, certificate Secret, requests for cluster-scoped objects):
    /// <see cref="OperatorOptions.ResolveNamespace"/>.</summary>
    public string Namespace { get; }

    public bool IsResolved => _username is not null;

    public string Username => _username ?? throw new InvalidOperationException("the operator identity has not been resolved yet");

    public void Resolve(string username)
    {
        ArgumentException.ThrowIfNullOrEmpty(username);
        _username = username;
    }

    /// <summary>True when <paramref name="user"/> is jit-admission itself; false while the identity is unknown.</summary>
    public bool IsOperator(UserInfo user) => _username is { } me && string.Equals(user.Username, me, StringComparison.Ordinal);
}
