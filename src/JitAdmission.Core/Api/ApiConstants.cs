namespace JitAdmission.Core.Api;

/// <summary>Names that the CRDs, the webhook configuration and the clients must agree on.</summary>
public static class ApiConstants
{
    public const string Group = "jitadmission.io";
    public const string Version = "v1alpha1";
    public const string ApiVersion = Group + "/" + Version;

    public const string PolicyKind = "ApprovalPolicy";
    public const string PolicyPlural = "approvalpolicies";
    public const string RequestKind = "ApprovalRequest";
    public const string RequestPlural = "approvalrequests";

    /// <summary>Annotation on a gated object: why the requester wants the change.</summary>
    public const string ReasonAnnotation = Group + "/reason";
    /// <summary>Annotation on a gated object: break-glass justification (only honoured for break-glass subjects).</summary>
    public const string BreakGlassAnnotation = Group + "/break-glass";

    /// <summary>Labels on ApprovalRequests so that kubectl users can select them.</summary>
    public const string FingerprintLabel = Group + "/fingerprint";
    public const string RequesterLabel = Group + "/requester";
    public const string PolicyLabelPrefix = "policy." + Group + "/";

    /// <summary>Field manager for every write the operator makes.</summary>
    public const string FieldManager = "jit-admission";
}
