namespace JitAdmission.Core.Api;

/// <summary>
/// Bounds the CRDs enforce on fields jit-admission fills from unbounded input, so writers truncate (or fail
/// closed) instead of having the API server reject the write. The CRD drift tests keep the YAML equal to these.
/// </summary>
public static class ApiLimits
{
    /// <summary>spec.reason of an ApprovalRequest (from the jitadmission.io/reason annotation).</summary>
    public const int MaxReasonLength = 1024;

    /// <summary>spec.change of an ApprovalRequest: the human-readable summary/diff for approvers.</summary>
    public const int MaxChangeLength = 16384;

    /// <summary>spec.policies of an ApprovalRequest: how many matched policies one request can name.</summary>
    public const int MaxPoliciesPerRequest = 16;

    /// <summary>spec.reviews of an ApprovalRequest, and status.decisions (one per review).</summary>
    public const int MaxReviews = 32;

    /// <summary>comment of a review and of a decision record.</summary>
    public const int MaxCommentLength = 1024;

    /// <summary>status.usage of an ApprovalRequest: only the last uses are kept.</summary>
    public const int MaxUsageRecords = 50;

    /// <summary>status.message of an ApprovalRequest.</summary>
    public const int MaxStatusMessageLength = 4096;

    /// <summary>Longest spec.approval.wait: the webhook must answer before the API server's webhook timeout.</summary>
    public static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(25);
}
