using k8s;

namespace JitAdmission.Webhook.Guard;

/// <summary>Which of jit-admission's own resources a request is about, and their objects, typed.</summary>
internal static class GuardedObjects
{
    public static bool IsPolicy(AdmissionAttributes request) =>
        IsOurs(request) && request.Resource.Resource == ApiConstants.PolicyPlural && request.SubResource.Length == 0;

    public static bool IsRequest(AdmissionAttributes request) =>
        IsOurs(request) && request.Resource.Resource == ApiConstants.RequestPlural && request.SubResource.Length == 0;

    public static bool IsRequestStatus(AdmissionAttributes request) =>
        IsOurs(request) && request.Resource.Resource == ApiConstants.RequestPlural && request.SubResource == "status";

    public static bool IsCreateOrUpdate(AdmissionAttributes request) => request.Operation is Operations.Create or Operations.Update;

    /// <summary>The object as <typeparamref name="T"/>; null when absent. Throws <see cref="JsonException"/> when unreadable.</summary>
    public static T? Read<T>(RawObject raw)
        where T : class =>
        raw.Element is { ValueKind: JsonValueKind.Object } element
            ? KubernetesJson.Deserialize<T>(element.GetRawText()) ?? throw new JsonException("the object is null")
            : null;

    private static bool IsOurs(AdmissionAttributes request) => request.Resource.Group == ApiConstants.Group;
}
