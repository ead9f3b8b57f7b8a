using JitAdmission.Core.Guard;

namespace JitAdmission.Cli.Model;

/// <summary>
/// Checks a review before it is sent, the way jit-admission's guard will (with the guard's own code when the policies
/// can be read), so a review that would be refused is refused here with its reason and nothing is written. This is also
/// what stands between a user and self-approval when the webhook is not running.
/// </summary>
internal static class ReviewRefusal
{
    /// <summary>Why the review cannot be accepted, checked as jit-admission's guard will; null when it can be sent.</summary>
    public static string? Check(
        FetchedRequest current, PolicySnapshot policies, CallerIdentity me, ReviewDecision decision, string? comment, DateTimeOffset now)
    {
        var request = current.Request;
        var spec = request.Spec;
        var verb = decision == ReviewDecision.Approve ? "approve" : "deny";
        if (spec.Reviews.FirstOrDefault(r => r.Reviewer == me.Username) is { } mine)
            return $"you ({me.Username}) have already reviewed approvalrequest/{current.Name}: {mine.Decision}"
                + (mine.Time is { } t ? $" at {TimeText.Absolute(TimeText.FromApi(t))}" : "")
                + "; there is one review per reviewer and it cannot be changed";

        // Without the policies the webhook decides; the evaluator never counts a self-approval the policies do not allow.
        if (!policies.Available) return null;
        var named = policies.Named(spec.Policies);
        var effective = EffectiveApproval.From(named);
        if (spec.Requester.Username == me.Username && !effective.AllowSelfApproval && named.Count == spec.Policies.Distinct(StringComparer.Ordinal).Count())
            return $"you cannot {verb} your own request (approvalrequest/{current.Name} was requested by you, {me.Username}): "
                + "its policies require someone else to review it; ask one of " + ApproverText.List(effective);

        var updated = Clone(request);
        updated.Spec.Reviews.Add(new Review { Reviewer = me.Username, Decision = decision, Comment = comment, Groups = [.. me.Groups] });
        var errors = RequestGuard.ValidateUpdate(request, updated, me.ToUserInfo(), policies.Find, isOperator: false, now);
        return errors.Count == 0 ? null : $"cannot {verb} approvalrequest/{current.Name}: {string.Join("; ", errors)}";
    }

    private static ApprovalRequest Clone(ApprovalRequest request) =>
        k8s.KubernetesJson.Deserialize<ApprovalRequest>(k8s.KubernetesJson.Serialize(request));
}
