using System.Text.Json;
using JitAdmission.Core.Admission;
using JitAdmission.Core.Api;
using JitAdmission.Core.Guard;

namespace JitAdmission.Webhook.Guard;

/// <summary>
/// <c>/mutate</c>: stamps each review added by a write to an ApprovalRequest with the reviewer's groups (from the
/// admission userInfo, replacing what the client sent) and the time, so a plain <c>kubectl patch</c> approves and
/// cannot forge either; the guard then checks the result. It also gives every request a <c>spec.reviews</c> list: the
/// documented approve patch appends to <c>/spec/reviews/-</c>, which fails on a request made ahead of time without one.
/// </summary>
public sealed class StampHandler(TimeProvider time) : IAdmissionHandler
{
    public ValueTask<AdmissionVerdict> HandleAsync(AdmissionAttributes request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!GuardedObjects.IsRequest(request) || !GuardedObjects.IsCreateOrUpdate(request)) return ValueTask.FromResult(AdmissionVerdict.Allow);
        try
        {
            var updated = GuardedObjects.Read<ApprovalRequest>(request.Object);
            if (updated is null) return ValueTask.FromResult(AdmissionVerdict.Allow);
            var old = request.Operation == "UPDATE" ? GuardedObjects.Read<ApprovalRequest>(request.OldObject) : null;
            var patch = ReviewStamp.Patch(old, updated, request.UserInfo, time.GetUtcNow());
            if (!HasReviews(request.Object)) patch = Prepend(AddReviewsList, patch);
            return ValueTask.FromResult(patch is null ? AdmissionVerdict.Allow : new AdmissionVerdict { Allowed = true, JsonPatch = patch });
        }
        catch (JsonException e)
        {
            // The guard would refuse it anyway; say why here, where it is first seen.
            return ValueTask.FromResult(AdmissionVerdict.Deny($"cannot read the ApprovalRequest: {e.Message}", Outcomes.Deny, 422, "Invalid"));
        }
    }

    private static readonly byte[] AddReviewsList = """{"op":"add","path":"/spec/reviews","value":[]}"""u8.ToArray();

    private static bool HasReviews(RawObject raw) =>
        raw.Element is { ValueKind: JsonValueKind.Object } root
        && root.TryGetProperty("spec", out var spec) && spec.ValueKind == JsonValueKind.Object
        && spec.TryGetProperty("reviews", out var reviews) && reviews.ValueKind == JsonValueKind.Array;

    /// <summary>One operation before the others of an RFC 6902 patch (a JSON array).</summary>
    private static byte[] Prepend(byte[] operation, byte[]? patch)
    {
        if (patch is null || patch.Length <= 2) return [(byte)'[', .. operation, (byte)']'];
        return [(byte)'[', .. operation, (byte)',', .. patch.AsSpan(1)];
    }
}
