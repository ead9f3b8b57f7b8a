using System.Net;

namespace JitAdmission.Cli.Kube;

/// <summary>
/// The status the API server sent with a failed call (a metav1.Status): the code, reason and message people read, the
/// structured details programs read, the body as sent (where jit-admission's <c>GateDenial</c> is read from), and the
/// call that failed.
/// </summary>
internal sealed record ApiFailure(HttpStatusCode Code, string Reason, string Message)
{
    /// <summary>The response body as the API server sent it.</summary>
    public string Body { get; init; } = "";

    /// <summary>metav1.StatusDetails: the object (group, kind — the resource —, name) and the causes.</summary>
    public V1StatusDetails? Details { get; init; }

    /// <summary>The call the plugin made, read back from the request; null when unknown.</summary>
    public ApiCall? Call { get; init; }

    /// <summary>
    /// RBAC's refusal of the call itself: a 403 whose details name the resource that was called. A webhook's denial is a
    /// 403 too, but its details (if any) are the webhook's own.
    /// </summary>
    public bool IsPermissionDenied =>
        Code == HttpStatusCode.Forbidden && Call is { } call && Details is { } d
        && string.Equals(d.Kind, call.Resource, StringComparison.Ordinal) && (d.Group ?? "") == call.Group;

    /// <summary>A 404 for the API itself (a resource type the server does not serve), not for one object: no object named.</summary>
    public bool IsMissingApi => Code == HttpStatusCode.NotFound && string.IsNullOrEmpty(Details?.Name);

    /// <summary>Whether a cause of the failure has this reason (metav1.CauseType, e.g. FieldValueDuplicate).</summary>
    public bool HasCause(string reason) => Details?.Causes?.Any(c => c.Reason == reason) == true;
}
