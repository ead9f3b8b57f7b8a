using JitAdmission.Core.Cel;

namespace JitAdmission.Core.Matching;

/// <summary>
/// Decides whether one policy applies to one request (docs/semantics.md, "Policies"). Cheap checks run first
/// (resource, namespaces, names, subjects), then those that may parse the object or read caches (selectors),
/// then the schedule and CEL; the object is parsed only if a selector or a condition needs it.
/// </summary>
public static class PolicyEvaluator
{
    private static readonly IReadOnlyList<PolicyEvaluation> None = [];

    public static PolicyEvaluation Evaluate(CompiledPolicy policy, AdmissionAttributes request, IClusterContext cluster, DateTimeOffset now) =>
        Evaluate(policy, new MatchInput(request, cluster, now));

    /// <summary>Evaluates every candidate the index returns for the request, sharing parsed values between them.
    /// Most requests have no candidate: that path allocates nothing.</summary>
    public static IReadOnlyList<PolicyEvaluation> Evaluate(PolicySet policies, AdmissionAttributes request, IClusterContext cluster, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(policies);
        return EvaluateAll(policies.Candidates(request), request, cluster, now);
    }

    /// <summary>
    /// The evaluations that can make a difference: like <see cref="Evaluate(PolicySet, AdmissionAttributes, IClusterContext, DateTimeOffset)"/>
    /// over <see cref="PolicySet.ApplicableCandidates"/>, so without the NotMatched results of policies whose literal
    /// namespaces leave the request out. The admission decision uses this: its cost does not grow with such policies.
    /// </summary>
    public static IReadOnlyList<PolicyEvaluation> EvaluateApplicable(PolicySet policies, AdmissionAttributes request, IClusterContext cluster, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(policies);
        return EvaluateAll(policies.ApplicableCandidates(request), request, cluster, now);
    }

    private static IReadOnlyList<PolicyEvaluation> EvaluateAll(IReadOnlyList<CompiledPolicy> candidates, AdmissionAttributes request, IClusterContext cluster, DateTimeOffset now)
    {
        if (candidates.Count == 0) return None;
        var input = new MatchInput(request, cluster, now);
        var results = new PolicyEvaluation[candidates.Count];
        for (var i = 0; i < candidates.Count; i++) results[i] = Evaluate(candidates[i], input);
        return results;
    }

    public static PolicyEvaluation Evaluate(CompiledPolicy policy, MatchInput input)
    {
        var request = input.Request;
        var match = policy.Policy.Spec.Match;

        if (!MatchesResource(policy, request))
        {
            return NotMatched(policy, MatchStage.Resource, $"no resource rule matches {request.Operation} {request.Resource}{Sub(request)}");
        }

        if (!policy.MatchValid) return Invalid(policy);

        if (match.Namespaces.Count > 0)
        {
            if (input.EffectiveNamespace.Length == 0) return NotMatched(policy, MatchStage.Namespace, "cluster-scoped object; the policy lists namespaces");
            if (!Glob.MatchesAny(match.Namespaces, input.EffectiveNamespace))
            {
                return NotMatched(policy, MatchStage.Namespace, $"namespace {input.EffectiveNamespace} is not listed");
            }
        }

        var stage = MatchStage.Name;
        try
        {
            if (match.Names.Count > 0 && !MatchesName(match.Names, input))
            {
                return NotMatched(policy, MatchStage.Name, request.Name.Length == 0 ? "the object has no name yet and its generateName cannot match the listed names" : $"name {request.Name} is not listed");
            }

            stage = MatchStage.Subject;
            if (match.Subjects is { } subjects)
            {
                if (subjects.Include.Count > 0 && !SubjectMatcher.MatchesAny(subjects.Include, request.UserInfo))
                {
                    return NotMatched(policy, MatchStage.Subject, $"{request.UserInfo.Username} is not an included subject");
                }

                if (SubjectMatcher.MatchesAny(subjects.Exclude, request.UserInfo))
                {
                    return NotMatched(policy, MatchStage.Subject, $"{request.UserInfo.Username} is an excluded subject");
                }
            }

            stage = MatchStage.NamespaceSelector;
            if (match.NamespaceSelector is { } namespaceSelector && !LabelSelectorMatcher.IsEmpty(namespaceSelector))
            {
                var verdict = MatchNamespaceSelector(policy, namespaceSelector, input);
                if (verdict is not null) return verdict;
            }

            stage = MatchStage.ObjectSelector;
            if (match.ObjectSelector is { } objectSelector && !LabelSelectorMatcher.IsEmpty(objectSelector) && !MatchesObjectSelector(objectSelector, input))
            {
                return NotMatched(policy, MatchStage.ObjectSelector, "objectSelector matches neither the object nor the old object");
            }
        }
        catch (JsonException ex)
        {
            return Error(policy, stage, $"cannot read the object: {ex.Message}");
        }

        if (!policy.IsValid) return Invalid(policy);

        if (!Scheduling.ScheduleEvaluator.IsActive(policy.Schedule, input.Now))
        {
            return NotMatched(policy, MatchStage.Schedule, "outside the policy's schedule");
        }

        return EvaluateConditions(policy, input);
    }

    private static bool MatchesResource(CompiledPolicy policy, AdmissionAttributes request)
    {
        var (group, version, resource, sub) = (request.Resource.Group, request.Resource.Version, request.Resource.Resource, request.SubResource);
        foreach (var rule in policy.Rules)
        {
            if (rule.Matches(group, version, resource, sub, request.Operation)) return true;
        }

        // A rule gating DELETE also gates the UPDATE that would make a controller delete the object.
        if (!OwnershipHandover.CanApply(sub, request.Operation)) return false;
        foreach (var rule in policy.Rules)
        {
            if (rule.Matches(group, version, resource, sub, Operations.Delete) && OwnershipHandover.Changes(request)) return true;
        }

        return false;
    }

    /// <summary>A request without a name (CREATE with generateName) is gated when a listed glob could match the
    /// name the API server will generate; otherwise generateName would be a way around name-scoped policies.</summary>
    private static bool MatchesName(IReadOnlyList<string> names, MatchInput input)
    {
        if (input.Request.Name.Length > 0) return Glob.MatchesAny(names, input.Request.Name);
        var prefix = input.GenerateName();
        if (string.IsNullOrEmpty(prefix)) return false;
        foreach (var pattern in names)
        {
            if (Glob.CanMatchWithPrefix(pattern, prefix)) return true;
        }

        return false;
    }

    /// <summary>Null when the selector matches. A Namespace object is selected by its own labels (new, old or
    /// live: any of them, so relabelling a namespace cannot escape a policy); a cluster-scoped object only by an
    /// empty selector; a namespace missing from the caches fails closed rather than guessing its labels.</summary>
    private static PolicyEvaluation? MatchNamespaceSelector(CompiledPolicy policy, V1LabelSelector selector, MatchInput input)
    {
        if (RequestScope.IsNamespaceObject(input.Request))
        {
            var live = input.LiveNamespace is { } ns ? MatchInput.LabelsOf(ns) : null;
            return AnyMatches(selector, input.ObjectLabels, input.OldObjectLabels, live)
                ? null
                : NotMatched(policy, MatchStage.NamespaceSelector, "namespaceSelector does not match the namespace's labels");
        }

        if (input.EffectiveNamespace.Length == 0)
        {
            return NotMatched(policy, MatchStage.NamespaceSelector, "cluster-scoped object; only an empty namespaceSelector matches it");
        }

        if (input.LiveNamespace is not { } liveNamespace)
        {
            return Error(policy, MatchStage.NamespaceSelector, $"namespace {input.EffectiveNamespace} is not known, so namespaceSelector cannot be evaluated");
        }

        return LabelSelectorMatcher.Matches(selector, MatchInput.LabelsOf(liveNamespace) ?? Empty)
            ? null
            : NotMatched(policy, MatchStage.NamespaceSelector, $"namespaceSelector does not match namespace {input.EffectiveNamespace}");
    }

    /// <summary>As Kubernetes: the object or the old object matching is enough; an absent one never matches.</summary>
    private static bool MatchesObjectSelector(V1LabelSelector selector, MatchInput input) =>
        AnyMatches(selector, input.ObjectLabels, input.OldObjectLabels, null);

    private static bool AnyMatches(V1LabelSelector selector, IReadOnlyDictionary<string, string>? a, IReadOnlyDictionary<string, string>? b, IReadOnlyDictionary<string, string>? c) =>
        (a is not null && LabelSelectorMatcher.Matches(selector, a)) ||
        (b is not null && LabelSelectorMatcher.Matches(selector, b)) ||
        (c is not null && LabelSelectorMatcher.Matches(selector, c));

    /// <summary>All conditions must hold. A false condition settles it (the policy does not apply, whatever the
    /// others say, as CEL's commutative &amp;&amp;); otherwise any error makes the outcome an error.</summary>
    private static PolicyEvaluation EvaluateConditions(CompiledPolicy policy, MatchInput input)
    {
        if (policy.Conditions.Count == 0) return Matched(policy);
        var variables = input.Cel.ForPolicy(policy.Policy.Spec.Context);
        string? firstError = null;
        foreach (var condition in policy.Conditions)
        {
            var result = condition.Evaluate(variables);
            if (result.Outcome == ConditionOutcome.False) return NotMatched(policy, MatchStage.Condition, result.Message);
            if (result.Outcome == ConditionOutcome.Error) firstError ??= result.Message;
        }

        return firstError is null ? Matched(policy) : Error(policy, MatchStage.Condition, firstError);
    }

    private static readonly IReadOnlyDictionary<string, string> Empty = new Dictionary<string, string>();

    private static string Sub(AdmissionAttributes request) => request.SubResource.Length == 0 ? "" : "/" + request.SubResource;

    private static PolicyEvaluation Invalid(CompiledPolicy policy) =>
        Error(policy, MatchStage.Policy, "the policy is invalid: " + string.Join("; ", policy.Errors));

    private static PolicyEvaluation Matched(CompiledPolicy policy) => new(policy, PolicyOutcome.Matched, MatchStage.Complete, "matched");

    private static PolicyEvaluation NotMatched(CompiledPolicy policy, MatchStage stage, string reason) => new(policy, PolicyOutcome.NotMatched, stage, reason);

    private static PolicyEvaluation Error(CompiledPolicy policy, MatchStage stage, string reason) => new(policy, PolicyOutcome.Error, stage, reason);
}
