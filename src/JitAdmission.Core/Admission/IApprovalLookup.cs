namespace JitAdmission.Core.Admission;

/// <summary>
/// The ApprovalRequests the gate may use, answered from the webhook's cache indexes (never from the API server).
/// Returned objects are shared with other readers and must not be modified.
/// </summary>
public interface IApprovalLookup
{
    /// <summary>The request with this name, or null.</summary>
    ApprovalRequest? Get(string @namespace, string name);

    /// <summary>Requests whose <c>spec.fingerprint</c> equals <paramref name="fingerprint"/> (Exact approvals and retries).</summary>
    IReadOnlyList<ApprovalRequest> ByFingerprint(string fingerprint);

    /// <summary>Requests whose action names this object (Object approvals); <paramref name="resource"/> has no subresource.</summary>
    IReadOnlyList<ApprovalRequest> ByObject(string group, string resource, string @namespace, string name);

    /// <summary>Change sets with an object whose fingerprint equals <paramref name="fingerprint"/> (<c>spec.changeSet</c>).</summary>
    IReadOnlyList<ApprovalRequest> InChangeSets(string fingerprint);

    /// <summary>Helm release change sets with an APPLY entry for this object; <paramref name="resource"/> has no subresource.</summary>
    IReadOnlyList<ApprovalRequest> ChangeSetsFor(string group, string resource, string @namespace, string name);

    /// <summary>Requests made by this user (Grant approvals).</summary>
    IReadOnlyList<ApprovalRequest> ByRequester(string username);
}
