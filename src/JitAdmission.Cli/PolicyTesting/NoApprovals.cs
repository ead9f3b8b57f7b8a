using JitAdmission.Core.Admission;

namespace JitAdmission.Cli.PolicyTesting;

/// <summary>A cluster where nobody has asked for or granted anything yet: what a policy test decides against.</summary>
internal sealed class NoApprovals : IApprovalLookup
{
    public static readonly NoApprovals Instance = new();

    public ApprovalRequest? Get(string @namespace, string name) => null;

    public IReadOnlyList<ApprovalRequest> ByFingerprint(string fingerprint) => [];

    public IReadOnlyList<ApprovalRequest> InChangeSets(string fingerprint) => [];

    public IReadOnlyList<ApprovalRequest> ChangeSetsFor(string group, string resource, string @namespace, string name) => [];

    public IReadOnlyList<ApprovalRequest> ByObject(string group, string resource, string @namespace, string name) => [];

    public IReadOnlyList<ApprovalRequest> ByRequester(string username) => [];
}
