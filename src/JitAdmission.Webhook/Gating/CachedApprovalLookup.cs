namespace JitAdmission.Webhook.Gating;

/// <summary><see cref="IApprovalLookup"/> over the ApprovalRequest cache's standard indexes: no API call, no scan.</summary>
public sealed class CachedApprovalLookup(IResourceCacheReader<ApprovalRequest> requests) : IApprovalLookup
{
    public ApprovalRequest? Get(string @namespace, string name) => requests.Get(@namespace, name);

    public IReadOnlyList<ApprovalRequest> ByFingerprint(string fingerprint) =>
        requests.ByIndex(ApprovalRequestIndexes.Fingerprint, fingerprint);

    public IReadOnlyList<ApprovalRequest> InChangeSets(string fingerprint) =>
        requests.ByIndex(ApprovalRequestIndexes.ChangeSetObject, fingerprint);

    public IReadOnlyList<ApprovalRequest> ChangeSetsFor(string group, string resource, string @namespace, string name) =>
        requests.ByIndex(ApprovalRequestIndexes.ChangeSetTarget, ApprovalRequestIndexes.ObjectKey(group, resource, @namespace, name));

    public IReadOnlyList<ApprovalRequest> ByObject(string group, string resource, string @namespace, string name) =>
        requests.ByIndex(ApprovalRequestIndexes.Object, ApprovalRequestIndexes.ObjectKey(group, resource, @namespace, name));

    public IReadOnlyList<ApprovalRequest> ByRequester(string username) =>
        requests.ByIndex(ApprovalRequestIndexes.Requester, username);
}
