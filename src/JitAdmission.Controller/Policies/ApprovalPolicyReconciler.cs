using JitAdmission.Core.Validation;
using JitAdmission.Kubernetes.Events;

namespace JitAdmission.Controller.Policies;

/// <summary>
/// Level-based reconciler of one ApprovalPolicy (key = its name): Ready with the validation errors (CEL compile errors
/// included), observedGeneration, and the counts of pending and approved requests naming it; written only on change,
/// with a Warning Event when the policy becomes invalid.
/// </summary>
public sealed class ApprovalPolicyReconciler
{
    public const string InvalidPolicyReason = "InvalidPolicy";

    private readonly ResourceCache<ApprovalPolicy> _policies;
    private readonly ResourceCache<ApprovalRequest> _requests;
    private readonly PolicySetProvider? _compiled;
    private readonly JitClient _client;
    private readonly IEventRecorder _events;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    /// <param name="compiled">When given, validation results are taken from the compiled policies the webhook uses
    /// (CEL compiles once per generation); otherwise (null) the policy is validated here.</param>
    public ApprovalPolicyReconciler(
        ClusterCaches caches, PolicySetProvider? compiled, JitClient client, IEventRecorder events, TimeProvider time, ILogger<ApprovalPolicyReconciler> logger)
    {
        _policies = caches.Policies;
        _requests = caches.Requests.AddPolicyIndex();
        _compiled = compiled;
        _client = client;
        _events = events;
        _time = time;
        _logger = logger;
    }

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

        var desired = PolicyStatusBuilder.Build(policy, errors, pending, approved, _time.GetUtcNow());
        if (!PolicyStatusBuilder.Differs(policy.Status, desired)) return null;

        var update = KubernetesObjects.DeepCopy(policy);
        update.Status = desired;
        var written = await _client.ReplacePolicyStatusAsync(update, cancellationToken);
        switch (written.Outcome)
        {
            case ApiOutcome.Ok:
                _policies.Upsert(written.Object);
                ApprovalPolicyReconcilerLog.StatusWritten(_logger, name, errors.Count == 0, pending, approved);
                if (PolicyStatusBuilder.NewlyInvalid(policy.Status, desired))
                    _events.Record(written.Object, EventTypes.Warning, InvalidPolicyReason, desired.Conditions[0].Message);
                return null;
            case ApiOutcome.Conflict:
                var fresh = await _client.GetPolicyAsync(name, cancellationToken);
                if (fresh.IsOk) _policies.Upsert(fresh.Object);
                else if (fresh.Outcome != ApiOutcome.NotFound) throw new ApiCallException($"re-reading ApprovalPolicy {name}: {fresh}");
                return TimeSpan.Zero;
            case ApiOutcome.NotFound:
                return null;
            default:
                throw new ApiCallException($"writing the status of ApprovalPolicy {name}: {written}");
        }
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
