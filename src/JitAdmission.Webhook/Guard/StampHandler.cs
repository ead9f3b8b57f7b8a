using JitAdmission.Core.Guard;

namespace JitAdmission.Webhook.Guard;

/// <summary>
/// <c>/mutate</c>: stamps each review added by a write to an ApprovalRequest with the reviewer's groups and the time
/// (<see cref="ReviewStamp"/>), so a plain <c>kubectl patch</c> approves and cannot forge either; the guard then checks the result.
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
            var old = request.Operation == Operations.Update ? GuardedObjects.Read<ApprovalRequest>(request.OldObject) : null;
            var patch = ReviewStamp.Patch(request, old, updated, time.GetUtcNow());
            return ValueTask.FromResult(patch is null ? AdmissionVerdict.Allow : new AdmissionVerdict { Allowed = true, JsonPatch = patch });
        }
        catch (JsonException e)
        {
            // The guard would refuse it anyway; say why here, where it is first seen.
            return ValueTask.FromResult(AdmissionVerdict.Deny($"cannot read the ApprovalRequest: {e.Message}", Outcomes.Deny, 422, "Invalid"));
        }
    }
}
