namespace JitAdmission.Cli.Model;

/// <summary>
/// Whether the caller can usefully review a request now (<c>kubectl jit list --to-review</c>): it is waiting for reviews
/// (Pending, or BreakGlass awaiting its after-the-fact review), the caller has not reviewed it yet, it is not their own
/// (unless every policy allows self-approval), and the live policies make them an eligible approver — the same rules
/// the webhook's guard applies when the review arrives.
/// </summary>
internal static class ReviewEligibility
{
    public static bool CanReview(RequestView view, CallerIdentity caller)
    {
        ArgumentNullException.ThrowIfNull(view);
        ArgumentNullException.ThrowIfNull(caller);
        if (!AwaitsReviews(view)) return false;
        var spec = view.Request.Spec;
        if (spec.Reviews.Any(r => r.Reviewer == caller.Username)) return false;

        // Without readable policies eligibility is unknown: anything pending that is not the caller's own.
        if (view.Evaluation is not { } evaluation) return spec.Requester.Username != caller.Username;
        if (evaluation.MissingPolicies.Count > 0 || !evaluation.Effective.CanBeSatisfied) return false;
        if (spec.Requester.Username == caller.Username && !evaluation.Effective.AllowSelfApproval) return false;
        return evaluation.Effective.IsEligible(caller.Username, caller.Groups);
    }

    /// <summary>Pending, or BreakGlass whose after-the-fact review is still open.</summary>
    public static bool AwaitsReviews(RequestView view)
    {
        ArgumentNullException.ThrowIfNull(view);
        return view.IsPending
            || (view.Phase == RequestPhase.BreakGlass && view.BreakGlassReview is BreakGlassReview.Pending or BreakGlassReview.None);
    }
}
