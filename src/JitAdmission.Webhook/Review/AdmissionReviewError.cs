namespace JitAdmission.Webhook.Review;

/// <summary>Why an AdmissionReview body was refused; each kind is also a bounded metrics label.</summary>
public enum AdmissionReviewErrorKind
{
    InvalidJson,
    NotAnObject,
    TooDeep,
    WrongType,
    MissingApiVersion,
    UnsupportedApiVersion,
    WrongKind,
    MissingRequest,
    MissingUid,
    InvalidOperation,
    MissingResource,
    MissingUserInfo,
    DuplicateField,
}

/// <summary>A refused AdmissionReview: what was wrong, and the request uid when it could be read.</summary>
public sealed record AdmissionReviewError(AdmissionReviewErrorKind Kind, string Message, string? Uid)
{
    /// <summary>snake_case form of <see cref="Kind"/> for metrics and logs.</summary>
    public string Label => Labels[(int)Kind];

    private static readonly string[] Labels =
    [
        "invalid_json", "not_an_object", "too_deep", "wrong_type", "missing_api_version", "unsupported_api_version",
        "wrong_kind", "missing_request", "missing_uid", "invalid_operation", "missing_resource", "missing_user_info",
        "duplicate_field",
    ];
}
