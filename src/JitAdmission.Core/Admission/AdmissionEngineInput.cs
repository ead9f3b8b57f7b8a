namespace JitAdmission.Core.Admission;

/// <summary>Everything one admission decision depends on: the request, the compiled policies (which also answer
/// "policy by name" for the requests they name), live cluster context, the cached approvals, who we are, how the gate
/// is set up, and the time.</summary>
public sealed record AdmissionEngineInput(
    AdmissionAttributes Request,
    PolicySet Policies,
    IClusterContext Cluster,
    IApprovalLookup Approvals,
    bool IsOperator,
    GateSettings Settings,
    DateTimeOffset Now);
