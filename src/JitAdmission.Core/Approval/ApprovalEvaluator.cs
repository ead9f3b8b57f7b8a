namespace JitAdmission.Core.Approval;

/// <summary>
/// The one decision of docs/semantics.md "Approval requests": phase, progress and usability of a request as a pure
/// function of its spec, its recorded status, the live policies it names, and the time.
/// </summary>
public static class ApprovalEvaluator
{
    public const string IgnoredSelfApproval = "self-approval is not allowed by the policy";
    public const string IgnoredNotEligible = "not an eligible approver for this request";
    public const string IgnoredDuplicate = "duplicate review: only the first review of a reviewer counts";
    public const string IgnoredNoReviewer = "review has no reviewer";

    /// <param name="policies">The named policies that exist; others passed in are ignored.</param>
    public static ApprovalEvaluation Evaluate(ApprovalRequest request, IReadOnlyList<ApprovalPolicy> policies, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(policies);
        var spec = request.Spec;
        var named = spec.Policies.Distinct(StringComparer.Ordinal).ToList();
        var present = named
            .Select(name => policies.FirstOrDefault(p => p.Metadata?.Name == name))
            .OfType<ApprovalPolicy>()
            .ToList();
        var missing = named.Where(name => present.All(p => p.Metadata.Name != name)).ToList();
        var effective = EffectiveApproval.From(present);
        var status = request.Status;
        var created = TimeText.FromApi(request.Metadata?.CreationTimestamp) ?? TimeText.TruncateToSeconds(now);
        var expiresAt = created + effective.RequestTtl;
        var uses = status?.Uses ?? 0;

        var counting = Count(spec, effective, AutoApproval.SatisfiedEntries(spec, present, effective));
        var byExtension = ApprovalExtension.IsAutomatic(spec, effective, missing.Count);
        var requirementsMet = (counting.Complete || byExtension) && effective.CanBeSatisfied && missing.Count == 0;
        var validFor = ApprovalExtension.ValidFor(spec, effective);
        var facts = new Facts(request, effective, missing, counting, requirementsMet, expiresAt, uses, now, validFor,
            byExtension ? spec.Extends : null);

        if (spec.BreakGlass) return BreakGlass(facts, created);
        if (status?.Phase is RequestPhase.Denied or RequestPhase.Expired or RequestPhase.Consumed)
            return Recorded(facts, status);
        if (counting.Deny is not null) return Build(facts, RequestPhase.Denied);
        if (requirementsMet)
        {
            // The approval happened when the completing review was stamped; without a stamp, when it was first seen.
            // An automatic extension is approved when it was created: the guard admitted it only then.
            // Rules that satisfied every entry approved it at creation: they were evaluated for the call that created it.
            var approvedAt = byExtension || (counting.Complete && counting.CompletedBy is null && counting.ByRules) ? created
                : TimeText.FromApi(counting.CompletedBy?.Time)
                ?? TimeText.FromApi(status?.ApprovedAt)
                ?? TimeText.TruncateToSeconds(now);
            if (approvedAt >= expiresAt) return Build(facts, RequestPhase.Expired, approvedLate: approvedAt);
            var validUntil = approvedAt + validFor;
            var phase = facts.MaxUses > 0 && uses >= facts.MaxUses ? RequestPhase.Consumed
                : now >= validUntil ? RequestPhase.Expired
                : RequestPhase.Approved;
            return Build(facts, phase, approvedAt, validUntil);
        }

        return Build(facts, now >= expiresAt ? RequestPhase.Expired : RequestPhase.Pending);
    }

    private static ApprovalEvaluation BreakGlass(Facts facts, DateTimeOffset created)
    {
        // Usable at once for validFor from creation; the reviews only decide how the follow-up review stands.
        var approvedAt = TimeText.FromApi(facts.Request.Status?.ApprovedAt) ?? created;
        var validUntil = approvedAt + facts.ValidFor;
        var review = facts.Counting.Deny is not null ? BreakGlassReview.Rejected
            : facts.RequirementsMet ? BreakGlassReview.Approved
            : BreakGlassReview.Pending;
        var usable = review != BreakGlassReview.Rejected && facts.Now < validUntil
            && (facts.MaxUses == 0 || facts.Uses < facts.MaxUses);
        return Build(facts, RequestPhase.BreakGlass, approvedAt, validUntil, usable: usable, breakGlass: review);
    }

    private static ApprovalEvaluation Recorded(Facts facts, ApprovalRequestStatus status) =>
        Build(
            facts,
            status.Phase!.Value,
            TimeText.FromApi(status.ApprovedAt),
            TimeText.FromApi(status.ValidUntil),
            expiresAt: TimeText.FromApi(status.ExpiresAt),
            recordedMessage: status.Message);

    private static ApprovalEvaluation Build(
        Facts facts, RequestPhase phase, DateTimeOffset? approvedAt = null, DateTimeOffset? validUntil = null,
        DateTimeOffset? approvedLate = null, bool usable = false, BreakGlassReview breakGlass = BreakGlassReview.None,
        DateTimeOffset? expiresAt = null, string? recordedMessage = null)
    {
        var now = facts.Now;
        var expires = expiresAt ?? facts.ExpiresAt;
        if (phase == RequestPhase.Approved) usable = true;
        DateTimeOffset? deadline = phase switch
        {
            RequestPhase.Pending => expires,
            RequestPhase.Approved => validUntil,
            RequestPhase.BreakGlass when validUntil > now => validUntil,
            _ => null,
        };
        var text = new ApprovalMessageFacts(
            phase, facts.Effective, facts.Missing, facts.Counting.Requirements, facts.Counting.ApprovedBy,
            facts.Counting.Deny, expires, approvedAt, validUntil, approvedLate, facts.Uses, facts.MaxUses,
            breakGlass, facts.Request.Spec) { ByExtension = facts.ByExtension };
        var finished = phase is RequestPhase.Denied or RequestPhase.Expired or RequestPhase.Consumed;
        var keepRecorded = finished && !string.IsNullOrEmpty(recordedMessage);

        return new ApprovalEvaluation(text)
        {
            Phase = phase,
            ExpiresAt = expires,
            ApprovedAt = approvedAt,
            ValidUntil = validUntil,
            Uses = facts.Uses,
            MaxUses = facts.MaxUses,
            Requirements = facts.Counting.Requirements,
            Decisions = facts.Counting.Decisions,
            Have = facts.Counting.People + facts.Counting.RuleSeats,
            Need = facts.Counting.People + facts.Counting.RuleSeats + facts.Counting.OpenSeats,
            Message = keepRecorded ? recordedMessage! : ApprovalMessages.Describe(text, t => "in " + TimeText.Relative(t - now), now),
            StatusMessage = keepRecorded ? recordedMessage! : ApprovalMessages.ForStatus(text),
            MissingPolicies = facts.Missing,
            NextDeadline = deadline,
            IsUsable = usable,
            RequirementsMet = facts.RequirementsMet,
            DeniedBy = facts.Counting.Deny,
            ApprovedBy = facts.Counting.ApprovedBy,
            BreakGlassReview = breakGlass,
            Effective = facts.Effective,
            Action = ActionText(facts.Request.Spec),
            ObservedGeneration = facts.Request.Metadata?.Generation,
            ApprovedByExtension = facts.ByExtension,
            IsChangeSet = facts.Request.Spec.ChangeSet is { Objects.Count: > 0 },
        };
    }

    /// <summary>Display form for the printer column: "UPDATE deployments/web", "GRANT prod-changes in prod".</summary>
    public static string ActionText(ApprovalRequestSpec spec)
    {
        var action = spec.Action;
        if (spec.ChangeSet is { } set)
        {
            var objects = $"{set.Objects.Count} object{(set.Objects.Count == 1 ? "" : "s")}";
            return set.Helm is { } helm ? $"HELM {helm.Release} v{helm.Revision}: {objects}" : $"CHANGESET {objects}";
        }
        if (string.IsNullOrEmpty(action.Name) && spec.Scope == ApprovalScope.Grant)
            return $"GRANT {string.Join(",", spec.Policies)}" + (string.IsNullOrEmpty(action.Namespace) ? "" : $" in {action.Namespace}");
        var operation = action.Operation is "" or "*" ? "ANY" : action.Operation;
        var target = string.IsNullOrEmpty(action.Name) ? action.Resource : $"{action.Resource}/{action.Name}";
        return string.IsNullOrEmpty(action.SubResource) ? $"{operation} {target}" : $"{operation} {target} ({action.SubResource})";
    }

    private static Counting Count(ApprovalRequestSpec spec, EffectiveApproval effective, string?[] byRule)
    {
        var matchings = PolicyMatchings(effective, byRule);
        var decisions = new List<DecisionRecord>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        DecisionRecord? deny = null;
        Review? completedBy = null;
        foreach (var review in spec.Reviews)
        {
            var ignored = review.Reviewer.Length == 0 ? IgnoredNoReviewer
                : !seen.Add(review.Reviewer) ? IgnoredDuplicate
                : review.Reviewer == spec.Requester.Username && !effective.AllowSelfApproval ? IgnoredSelfApproval
                : !effective.IsEligible(review.Reviewer, review.Groups) ? IgnoredNotEligible
                : null;
            var record = new DecisionRecord
            {
                Reviewer = review.Reviewer,
                Decision = review.Decision,
                Comment = review.Comment,
                Time = review.Time,
                IgnoredReason = ignored,
            };
            decisions.Add(record);
            if (ignored is not null) continue;
            if (review.Decision == ReviewDecision.Deny)
            {
                deny ??= record;
                continue;
            }

            // One person's approval counts in every policy that makes them eligible; within a policy only once.
            var grew = false;
            foreach (var (matching, entries) in matchings)
            {
                var eligible = Enumerable.Range(0, entries.Count)
                    .Where(i => effective.Entries[entries[i]].Admits(review.Reviewer, review.Groups));
                grew |= matching.Add(review.Reviewer, eligible);
            }

            if (grew && IsComplete(matchings, effective)) completedBy ??= review;
        }

        var requirements = new RequirementStatus[effective.Entries.Count];
        for (var i = 0; i < byRule.Length; i++)
        {
            if (byRule[i] is not { } rule) continue;
            var entry = effective.Entries[i];
            requirements[i] = new RequirementStatus { Name = entry.Name, Need = entry.MinApprovals, Have = entry.MinApprovals, Satisfied = true, ApprovedByRule = rule };
        }

        foreach (var (matching, entries) in matchings)
        {
            for (var local = 0; local < entries.Count; local++)
            {
                var entry = effective.Entries[entries[local]];
                var by = matching.AssignedTo(local);
                requirements[entries[local]] = new RequirementStatus
                {
                    Name = entry.Name,
                    Need = entry.MinApprovals,
                    Have = by.Count,
                    ApprovedBy = [.. by],
                    Satisfied = by.Count >= entry.MinApprovals,
                };
            }
        }

        var approvedBy = decisions
            .Where(d => d.IgnoredReason is null && requirements.Any(r => r.ApprovedBy.Contains(d.Reviewer, StringComparer.Ordinal)))
            .Select(d => d.Reviewer)
            .ToList();
        return new Counting(IsComplete(matchings, effective), decisions, [.. requirements], approvedBy, deny, completedBy)
        {
            ByRules = byRule.Any(r => r is not null),
        };
    }

    /// <summary>One matching per policy over that policy's entries (indexes into <see cref="EffectiveApproval.Entries"/>).</summary>
    /// <summary>Entries a rule satisfied (<paramref name="byRule"/>) are left out: nobody needs to fill them.</summary>
    private static List<(ApproverMatching Matching, IReadOnlyList<int> Entries)> PolicyMatchings(EffectiveApproval effective, string?[] byRule) =>
        [.. Enumerable.Range(0, effective.Entries.Count)
            .Where(i => byRule[i] is null)
            .GroupBy(i => effective.Entries[i].Policy, StringComparer.Ordinal)
            .Select(g =>
            {
                IReadOnlyList<int> entries = [.. g];
                return (new ApproverMatching([.. entries.Select(i => effective.Entries[i])]), entries);
            })];

    private static bool IsComplete(List<(ApproverMatching Matching, IReadOnlyList<int> Entries)> matchings, EffectiveApproval effective) =>
        effective.Entries.Count > 0 && matchings.All(m => m.Matching.IsComplete);

    private sealed record Counting(
        bool Complete, List<DecisionRecord> Decisions, List<RequirementStatus> Requirements,
        IReadOnlyList<string> ApprovedBy, DecisionRecord? Deny, Review? CompletedBy)
    {
        /// <summary>At least one entry was satisfied by an auto-approval rule.</summary>
        public bool ByRules { get; init; }

        /// <summary>Distinct people counted in any policy.</summary>
        public int People => Requirements.SelectMany(r => r.ApprovedBy).Distinct(StringComparer.Ordinal).Count();

        /// <summary>Seats still open, summed over every policy's entries.</summary>
        public int OpenSeats => Requirements.Sum(r => Math.Max(0, r.Need - r.Have));

        /// <summary>Seats filled by auto-approval rules.</summary>
        public int RuleSeats => Requirements.Where(r => r.ApprovedByRule is not null).Sum(r => r.Need);
    }

    private sealed record Facts(
        ApprovalRequest Request, EffectiveApproval Effective, IReadOnlyList<string> Missing, Counting Counting,
        bool RequirementsMet, DateTimeOffset ExpiresAt, int Uses, DateTimeOffset Now, TimeSpan ValidFor, string? ByExtension)
    {
        /// <summary>A change set is used once per object, whatever the policies' maxUses; otherwise the policies' value.</summary>
        public int MaxUses => Request.Spec.ChangeSet is { Objects.Count: > 0 } set ? set.Objects.Count : Effective.MaxUses;
    }
}
