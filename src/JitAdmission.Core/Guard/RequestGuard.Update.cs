using JitAdmission.Core.Text;

namespace JitAdmission.Core.Guard;

public static partial class RequestGuard
{
    /// <summary>How far a new review's time may be from the guard's clock (replicas' clocks and the two webhook calls differ a little).</summary>
    public static readonly TimeSpan StampTolerance = TimeSpan.FromMinutes(2);

    /// <summary>
    /// The spec is immutable except <c>spec.reviews</c>, which is append-only with one review per reviewer. A new review
    /// must come from its reviewer, carry only their own (stamped) groups, come from an eligible approver who is not
    /// the requester (unless every policy allows self-approval), and arrive while the request is not finished.
    /// Metadata edits pass only for labels and annotations outside jit-admission's own keys: owner references and
    /// finalizers would hand the record to a controller that deletes it, and jit-admission's labels select requests.
    /// </summary>
    public static IReadOnlyList<string> ValidateUpdate(
        ApprovalRequest old, ApprovalRequest updated, UserInfo user, Func<string, ApprovalPolicy?> policy, bool isOperator, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(old);
        ArgumentNullException.ThrowIfNull(updated);
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(policy);
        var errors = SpecChanges(old.Spec, updated.Spec)
            .Select(field => $"spec.{field} is immutable; create a new ApprovalRequest instead")
            .ToList();
        if (!isOperator) errors.AddRange(MetadataChanges(old, updated));

        var before = old.Spec.Reviews;
        var after = updated.Spec.Reviews;
        for (var i = 0; i < before.Count; i++)
        {
            if (i >= after.Count)
            {
                errors.Add($"spec.reviews is append-only: the review by \"{before[i].Reviewer}\" was removed; reviews cannot be withdrawn, "
                    + "add a Deny review instead if you are an approver who has not reviewed yet");
                break;
            }

            if (!SameReview(before[i], after[i]))
                errors.Add($"spec.reviews is append-only: review #{i + 1} by \"{before[i].Reviewer}\" was changed; existing reviews "
                    + "stay as they are, append new ones at the end (kubectl jit approve does this)");
        }

        if (after.Count > before.Count)
            errors.AddRange(NewReviewErrors(old, after.Skip(before.Count).ToList(), user, policy, isOperator, now));
        return errors;
    }

    private static List<string> NewReviewErrors(
        ApprovalRequest old, List<Review> added, UserInfo user, Func<string, ApprovalPolicy?> policy, bool isOperator, DateTimeOffset now)
    {
        var errors = new List<string>();
        var name = old.Metadata?.Name ?? "";
        if (isOperator)
        {
            errors.Add("jit-admission never reviews requests itself; reviews come from people");
            return errors;
        }

        var missing = new List<string>();
        var policies = Resolve(old.Spec.Policies, policy, missing);
        if (missing.Count > 0)
        {
            errors.Add($"ApprovalPolicy {string.Join(", ", missing.Select(m => $"\"{m}\""))} named by this request no longer "
                + "exists, so it can never be approved; the requester has to retry the change for a new request");
            return errors;
        }

        var evaluation = ApprovalEvaluator.Evaluate(old, policies, now);
        if (evaluation.IsFinished)
        {
            errors.Add($"ApprovalRequest \"{name}\" is already {evaluation.Phase} ({evaluation.Message}); reviews are closed. "
                + "The requester retries the change to get a new request");
            return errors;
        }

        var effective = evaluation.Effective;
        var reviewed = new HashSet<string>(old.Spec.Reviews.Select(r => r.Reviewer), StringComparer.Ordinal);
        foreach (var review in added)
        {
            if (review.Reviewer != user.Username)
            {
                errors.Add($"reviewer must be your own username \"{user.Username}\", not \"{review.Reviewer}\"; "
                    + $"use kubectl jit approve {name}, which fills it in");
                continue;
            }

            if (!reviewed.Add(review.Reviewer))
            {
                errors.Add($"\"{review.Reviewer}\" has already reviewed ApprovalRequest \"{name}\"; there is one review per reviewer "
                    + "and it cannot be changed");
                continue;
            }

            if (!IsSubset(review.Groups, user.Groups))
            {
                errors.Add("review groups must be a subset of your own groups; jit-admission stamps them from your identity "
                    + "(if you see this, its mutating webhook is not running: ask the cluster admin)");
                continue;
            }

            // The mutating guard stamps the time; if it did not run, a client-chosen time must not back-date an approval.
            if (TimeText.FromApi(review.Time) is { } time && (time - now).Duration() > StampTolerance)
            {
                errors.Add($"review time {TimeText.Absolute(time)} is not now ({TimeText.Absolute(now)}); leave it out, jit-admission stamps it");
                continue;
            }

            if (review.Reviewer == old.Spec.Requester.Username && !effective.AllowSelfApproval)
            {
                errors.Add($"you requested this change, and the policy requires someone else to review it (self-approval is "
                    + $"not allowed): ask one of {ApproverText.List(effective)}");
                continue;
            }

            if (!effective.IsEligible(review.Reviewer, review.Groups))
            {
                var unstamped = review.Groups is null && effective.IsEligible(review.Reviewer, user.Groups)
                    ? " (your groups were not stamped on the review: jit-admission's mutating webhook is not running; ask the cluster admin)"
                    : "";
                errors.Add($"\"{review.Reviewer}\" is not an approver for this request{unstamped}; it needs {ApproverText.List(effective)}");
            }
        }

        return errors;
    }

    private static IEnumerable<string> MetadataChanges(ApprovalRequest old, ApprovalRequest updated)
    {
        var (a, b) = (old.Metadata, updated.Metadata);
        if (!SameList(a?.OwnerReferences?.Select(o => $"{o.ApiVersion}/{o.Kind}/{o.Name}/{o.Uid}/{o.Controller}/{o.BlockOwnerDeletion}"),
                b?.OwnerReferences?.Select(o => $"{o.ApiVersion}/{o.Kind}/{o.Name}/{o.Uid}/{o.Controller}/{o.BlockOwnerDeletion}")))
            yield return "metadata.ownerReferences cannot be changed: an owner would hand this record to the garbage collector";
        if (!SameList(a?.Finalizers, b?.Finalizers))
            yield return "metadata.finalizers cannot be changed: ApprovalRequests are records that only jit-admission manages";
        foreach (var key in ChangedOwnKeys(a?.Labels, b?.Labels))
            yield return $"label {key} is jit-admission's (it selects requests) and cannot be changed";
        foreach (var key in ChangedOwnKeys(a?.Annotations, b?.Annotations))
            yield return $"annotation {key} is jit-admission's and cannot be changed";
    }

    private static bool SameList(IEnumerable<string>? a, IEnumerable<string>? b) =>
        (a ?? []).SequenceEqual(b ?? [], StringComparer.Ordinal);

    /// <summary>Keys of jit-admission's own (<c>jitadmission.io/…</c>, <c>*.jitadmission.io/…</c>) added, removed or changed.</summary>
    private static IEnumerable<string> ChangedOwnKeys(IDictionary<string, string>? before, IDictionary<string, string>? after)
    {
        before ??= new Dictionary<string, string>();
        after ??= new Dictionary<string, string>();
        return before.Keys.Union(after.Keys, StringComparer.Ordinal)
            .Where(IsOwnKey)
            .Where(k => Value(before, k) != Value(after, k))
            .Order(StringComparer.Ordinal);
    }

    private static string? Value(IDictionary<string, string> map, string key) => map.TryGetValue(key, out var value) ? value : null;

    internal static bool IsOwnKey(string key)
    {
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0) return false;
        var prefix = key[..slash];
        return prefix == ApiConstants.Group || prefix.EndsWith("." + ApiConstants.Group, StringComparison.Ordinal);
    }

    /// <summary>The spec fields (other than reviews) that differ.</summary>
    private static IEnumerable<string> SpecChanges(ApprovalRequestSpec a, ApprovalRequestSpec b)
    {
        if (!a.Policies.SequenceEqual(b.Policies, StringComparer.Ordinal)) yield return "policies";
        if (a.Requester.Username != b.Requester.Username || a.Requester.Uid != b.Requester.Uid
            || !a.Requester.Groups.SequenceEqual(b.Requester.Groups, StringComparer.Ordinal))
            yield return "requester";
        var (x, y) = (a.Action, b.Action);
        if (x.Operation != y.Operation || x.Group != y.Group || x.Version != y.Version || x.Resource != y.Resource
            || x.SubResource != y.SubResource || x.Kind != y.Kind || x.Namespace != y.Namespace || x.Name != y.Name)
            yield return "action";
        if (a.Fingerprint != b.Fingerprint) yield return "fingerprint";
        if (a.Scope != b.Scope) yield return "scope";
        if (a.Reason != b.Reason) yield return "reason";
        if (a.Change != b.Change) yield return "change";
        if (!SameJson(a.Object, b.Object)) yield return "object";
        if (a.BreakGlass != b.BreakGlass) yield return "breakGlass";
        if ((a.Extends ?? "") != (b.Extends ?? "")) yield return "extends";
        if ((a.ValidFor ?? "") != (b.ValidFor ?? "")) yield return "validFor";
        if (!SameSerialized(a.AutoApprovals, b.AutoApprovals)) yield return "autoApprovals";
        if (!SameSerialized(a.ChangeSet, b.ChangeSet)) yield return "changeSet";
    }

    /// <summary>Whole values compared as the API stores them: every field, so none added later can slip past.</summary>
    private static bool SameSerialized<T>(T? a, T? b)
        where T : class =>
        a is null || b is null ? a is null && b is null : k8s.KubernetesJson.Serialize(a) == k8s.KubernetesJson.Serialize(b);

    private static bool SameJson(System.Text.Json.JsonElement? a, System.Text.Json.JsonElement? b) =>
        a is null || b is null ? a is null && b is null : System.Text.Json.JsonElement.DeepEquals(a.Value, b.Value);

    private static bool SameReview(Review a, Review b) =>
        a.Reviewer == b.Reviewer && a.Decision == b.Decision && a.Comment == b.Comment
        && (a.Groups ?? []).SequenceEqual(b.Groups ?? [], StringComparer.Ordinal)
        && TimeText.FromApi(a.Time) == TimeText.FromApi(b.Time);
}
