using JitAdmission.Core.Validation;
using JitAdmission.Kubernetes.Events;

namespace JitAdmission.Controller.Policies;

/// <summary>
/// Level-based reconciler of one ApprovalPolicy (key = its name): Ready with the validation errors (CEL compile errors
/// included), observedGeneration, and the counts of pending and approved requests naming it; written only on change,
/// with a Warning Event when the policy becomes invalid.
/// </summary>
/// <param name="compiled">When given, validation results are taken from the compiled policies the webhook uses
/// (CEL compiles once per generation); otherwise (null) the policy is validated here.</param>
public sealed class ApprovalPolicyReconciler(
    ClusterCaches caches, PolicySetProvider? compiled, JitClient client, IEventRecorder events, TimeProvider time, ILogger<ApprovalPolicyReconciler> logger)
{
    public const string InvalidPolicyReason = "InvalidPolicy";

    private readonly ResourceCache<ApprovalPolicy> _policies = caches.Policies;
    private readonly ResourceCache<ApprovalRequest> _requests = caches.Requests.AddPolicyIndex();
    private readonly PolicySetProvider? _compiled = compiled;

    public async Task<TimeSpan?> ReconcileAsync(string name, CancellationToken cancellationToken)
    {
        var policy = _policies.Get(null, name);
        if (policy is null) return null;

        var errors = Errors(policy);
        var pending = 0;
        var approved = 0;
        foreach (var request in RequestsByPolicy.Naming(_requests, name))
        {
            if (request.Status?.Phase == RequestPhase.Pending) pending++;
            else if (request.Status?.Phase == RequestPhase.Approved) approved++;
        }

        var desired = PolicyStatusBuilder.Build(policy, errors, pending, approved, time.GetUtcNow());
        if (!PolicyStatusBuilder.Differs(policy.Status, desired)) return null;

        var update = KubernetesObjects.DeepCopy(policy);
        update.Status = desired;
        var (written, requeueAfter) = await StatusWrites.WriteAsync(_policies, $"ApprovalPolicy {name}",
            () => client.ReplacePolicyStatusAsync(update, cancellationToken), () => client.GetPolicyAsync(name, cancellationToken));
        if (written is null) return requeueAfter;
        ApprovalPolicyReconcilerLog.StatusWritten(logger, name, errors.Count == 0, pending, approved);
        if (PolicyStatusBuilder.NewlyInvalid(policy.Status, desired))
            events.Record(written, EventTypes.Warning, InvalidPolicyReason, desired.Conditions[0].Message);
        return null;
    }

    private IReadOnlyList<string> Errors(ApprovalPolicy policy)
    {
        var generation = policy.Metadata.Generation ?? 0;
        if (_compiled?.Current.Get(policy.Metadata.Name) is { } compiled
            && generation != 0 && compiled.Generation == generation && compiled.Uid == (policy.Metadata.Uid ?? ""))
            return compiled.Errors;
        return PolicyValidator.Validate(policy);
    }
}
