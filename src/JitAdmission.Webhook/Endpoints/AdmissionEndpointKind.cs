namespace JitAdmission.Webhook;

/// <summary>Validating endpoints never send a patch: the API server would reject the whole response.</summary>
public enum AdmissionEndpointKind
{
    Validating,
    Mutating,
}
