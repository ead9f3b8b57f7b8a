using System.Text;
using JitAdmission.Core.Guard;
using JitAdmission.Core.Validation;
using JitAdmission.Kubernetes.Api;
using JitAdmission.Kubernetes.Audit;
using JitAdmission.Kubernetes.Runtime;
using JitAdmission.Webhook.Gating;

namespace JitAdmission.Webhook.Guard;

/// <summary>
/// <c>/guard</c>: jit-admission's own resources. ApprovalPolicies are validated at <c>kubectl apply</c> (every error
/// listed); ApprovalRequests follow <see cref="RequestGuard"/> (who may create one, append-only reviews from their own
/// reviewers, immutable spec); their status is written only by jit-admission.
/// </summary>
public sealed class GuardHandler(
    PolicySetProvider policies, IAdmissionCaches caches, JitClient client, OperatorIdentity identity, AuditLog audit, IOptions<GateOptions> gate,
    TimeProvider time)
    : IAdmissionHandler
{
    public async ValueTask<AdmissionVerdict> HandleAsync(AdmissionAttributes request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var isOperator = identity.IsOperator(request.UserInfo);
        if (request.Operation == Operations.Delete) return GuardedObjects.IsRequest(request) ? GuardDeletion(request, isOperator) : AdmissionVerdict.Allow;
        if (!GuardedObjects.IsCreateOrUpdate(request)) return AdmissionVerdict.Allow;
        try
        {
            if (GuardedObjects.IsPolicy(request)) return ValidatePolicy(request);
            if (GuardedObjects.IsRequestStatus(request)) return Verdict("ApprovalRequest", request.Name, RequestGuard.ValidateStatusChange(request.UserInfo, isOperator));
            if (!GuardedObjects.IsRequest(request)) return AdmissionVerdict.Allow;

            var updated = Whole(GuardedObjects.Read<ApprovalRequest>(request.Object) ?? throw new JsonException("the request carries no object"));
            var named = await PoliciesAsync(updated.Spec.Policies, cancellationToken);
            var now = time.GetUtcNow();
            var errors = request.Operation == Operations.Create
                ? [.. RequestGuard.ValidateCreate(
                        updated, request.UserInfo, named.GetValueOrDefault, isOperator, now,
                        (await ChainAsync(request.Namespace, updated.Spec.Extends, cancellationToken)).GetValueOrDefault),
                    .. PendingCapErrors(updated, request.UserInfo, isOperator, now)]
                : RequestGuard.ValidateUpdate(
                    Whole(GuardedObjects.Read<ApprovalRequest>(request.OldObject) ?? throw new JsonException("the update carries no old object")),
                    updated, request.UserInfo, named.GetValueOrDefault, isOperator, now);
            return Verdict("ApprovalRequest", request.Name, errors);
        }
        catch (JsonException e)
        {
            // 422, not 400: kubectl shows the message of an Invalid answer, and only a generic text for a BadRequest.
            return AdmissionVerdict.Deny($"cannot read the {request.Resource.Resource} object: {e.Message}", Outcomes.Deny, 422, "Invalid");
        }
    }

    /// <summary>An ApprovalRequest with every part the guard reads, or the JSON error naming the one that is null.</summary>
    private static ApprovalRequest Whole(ApprovalRequest read) =>
        RequestShape.Missing(read) is { } missing ? throw new JsonException($"{missing} is null or missing") : read;

    /// <summary>Records are deleted only by jit-admission and the namespace controller; every attempt is an audit line.</summary>
    private AdmissionVerdict GuardDeletion(AdmissionAttributes request, bool isOperator)
    {
        var errors = RequestGuard.ValidateDelete(request.Name, request.UserInfo, isOperator);
        if (!request.DryRun) audit.RequestDeletion(request.Namespace, request.Name, request.UserInfo.Username, errors.Count == 0);
        return Verdict("ApprovalRequest", request.Name, errors);
    }

    /// <summary>A request made ahead of time counts toward the requester's cap of Pending requests, as the gate's do.</summary>
    private IEnumerable<string> PendingCapErrors(ApprovalRequest created, UserInfo user, bool isOperator, DateTimeOffset now)
    {
        var cap = gate.Value.MaxPendingPerRequester;
        if (isOperator || created.Spec.BreakGlass || cap <= 0) yield break;
        var pending = PendingRequests.Of(caches.Requests.ByIndex(ApprovalRequestIndexes.Requester, user.Username), now);
        if (pending.Count >= cap)
            yield return $"\"{user.Username}\" already has {pending.Count} pending approval requests (at most {cap} per requester); wait until they are "
                + "decided or expire (kubectl jit list --mine -A), or ask an approver to deny those no longer needed";
    }

    private static AdmissionVerdict ValidatePolicy(AdmissionAttributes request)
    {
        var policy = GuardedObjects.Read<ApprovalPolicy>(request.Object) ?? throw new JsonException("the request carries no object");
        var verdict = Verdict("ApprovalPolicy", policy.Metadata?.Name ?? request.Name, PolicyValidator.Validate(policy), 422, "Invalid");
        if (!verdict.Allowed) return verdict;
        // The gate never gates jit-admission's own API (it would lock approvers out); say so rather than mislead.
        var ours = policy.Spec.Match.Resources.Any(r => r.ApiGroups.Contains(ApiConstants.Group, StringComparer.Ordinal));
        return ours
            ? verdict with { Warnings = [$"rules for the {ApiConstants.Group} API group are ignored: jit-admission's own resources are protected by its guard, not gated"] }
            : verdict;
    }

    /// <summary>
    /// The requests an extension continues, following <c>spec.extends</c> from <paramref name="extends"/>: read from the
    /// API server, not the cache, so an approval given a moment ago counts. Bounded by the largest chain a policy allows.
    /// </summary>
    private async Task<Dictionary<string, ApprovalRequest?>> ChainAsync(string? @namespace, string? extends, CancellationToken cancellationToken)
    {
        var found = new Dictionary<string, ApprovalRequest?>(StringComparer.Ordinal);
        for (var next = extends; !string.IsNullOrEmpty(@namespace) && !string.IsNullOrEmpty(next) && !found.ContainsKey(next)
             && found.Count <= ExtensionSettings.MaxAllowed + 1;)
        {
            var read = await client.GetRequestAsync(@namespace, next, cancellationToken);
            if (!read.IsOk && read.Outcome != ApiOutcome.NotFound) throw new InvalidOperationException($"cannot read ApprovalRequest {next}: {read.Message}");
            var request = read.IsOk ? read.Object : null;
            found[next] = request;
            next = request?.Spec?.Extends;
        }

        return found;
    }

    /// <summary>The named policies from the cache; one just created may not be cached yet, so ask the API server for those.</summary>
    private async Task<Dictionary<string, ApprovalPolicy?>> PoliciesAsync(IEnumerable<string> names, CancellationToken cancellationToken)
    {
        var found = new Dictionary<string, ApprovalPolicy?>(StringComparer.Ordinal);
        foreach (var name in names.Distinct(StringComparer.Ordinal).Take(ApiLimits.MaxPoliciesPerRequest))
        {
            var policy = policies.Current.Get(name)?.Policy;
            if (policy is null)
            {
                var read = await client.GetPolicyAsync(name, cancellationToken);
                if (read.IsOk) policy = read.Object;
                else if (read.Outcome != ApiOutcome.NotFound) throw new InvalidOperationException($"cannot read ApprovalPolicy {name}: {read.Message}");
            }

            found[name] = policy;
        }

        return found;
    }

    private static AdmissionVerdict Verdict(string kind, string name, IReadOnlyList<string> errors, int code = 403, string reason = "Forbidden")
    {
        if (errors.Count == 0) return AdmissionVerdict.Allow;
        var message = new StringBuilder();
        if (errors.Count == 1)
        {
            message.Append(kind).Append(' ').Append(name).Append(": ").Append(errors[0]);
        }
        else
        {
            message.Append(kind).Append(' ').Append(name).Append(" is not accepted (").Append(errors.Count).Append(" problems):");
            foreach (var error in errors) message.Append("\n- ").Append(error);
        }

        return AdmissionVerdict.Deny(message.ToString(), Outcomes.Deny, code, reason);
    }
}
