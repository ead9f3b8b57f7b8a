namespace JitAdmission.Core.Gate;

/// <summary>
/// What the webhook knows at one step of a call, all from its caches: whether they hold the cluster's state yet, the
/// compiled policies, live context, the cached ApprovalRequests, and the time.
/// </summary>
public sealed record GateView(bool Loaded, PolicySet Policies, IClusterContext Cluster, IApprovalLookup Approvals, DateTimeOffset Now);
