namespace JitAdmission.Core.Messages;

/// <summary>
/// Text for kubectl users. kubectl prints a denial as <c>Error from server (Forbidden): admission webhook "…" denied
/// the request: MESSAGE</c>, so each message starts with what happened and ends with what to do.
/// </summary>
public static class AdmissionMessages
{
    private const int MaxReasonChars = 300;

    /// <summary>The change is held for approval: which policies, which request, progress, expiry, how to approve.</summary>
    public static string NeedsApproval(
        AdmissionAttributes request, IReadOnlyList<ApprovalPolicy> policies, ApprovalRequest approvalRequest,
        ApprovalEvaluation evaluation, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(request);
        var text = new StringBuilder();
        text.Append(Gated(request)).Append(" needs approval (").Append(PolicyList(policies)).Append(").\n");
        AppendRequestAndHowTo(text, approvalRequest, evaluation, now);
        return text.ToString();
    }

    /// <summary>The webhook held the call for <paramref name="held"/> and nobody approved in time.</summary>
    public static string TimedOut(
        AdmissionAttributes request, IReadOnlyList<ApprovalPolicy> policies, ApprovalRequest approvalRequest,
        ApprovalEvaluation evaluation, TimeSpan held, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(request);
        var text = new StringBuilder();
        text.Append(Gated(request)).Append(" is still not approved after waiting ").Append(TimeText.Relative(held))
            .Append(" (").Append(PolicyList(policies)).Append(").\n");
        AppendRequestAndHowTo(text, approvalRequest, evaluation, now);
        return text.ToString();
    }

    /// <summary>An approver denied this change; retries are refused until the request's TTL passes.</summary>
    public static string Denied(AdmissionAttributes request, ApprovalRequest approvalRequest, ApprovalEvaluation evaluation)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(evaluation);
        var by = evaluation.DeniedBy;
        var who = by is null ? "an approver" : by.Reviewer;
        var comment = string.IsNullOrWhiteSpace(by?.Comment) ? "" : $": \"{OneLine(by.Comment, MaxReasonChars)}\"";
        return $"{Gated(request)} was denied by {who}{comment} ({RequestRef(approvalRequest)}).\n"
            + $"The same change is refused until {TimeText.Absolute(evaluation.ExpiresAt)}; change it, or talk to {who}.";
    }

    /// <summary>The request for this change expired before it was approved (or its approval window ended).</summary>
    public static string Expired(AdmissionAttributes request, ApprovalRequest approvalRequest, ApprovalEvaluation evaluation)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(evaluation);
        return $"{Gated(request)} was not let through: {RequestRef(approvalRequest)} {evaluation.StatusMessage}.\n"
            + "Run the same command again to create a new approval request.";
    }

    /// <summary>The approval for this change was already used up; a new request was made for this attempt.</summary>
    public static string ConsumedNeedsNewApproval(
        AdmissionAttributes request, ApprovalRequest used, ApprovalEvaluation usedEvaluation, IReadOnlyList<ApprovalPolicy> policies,
        ApprovalRequest next, ApprovalEvaluation nextEvaluation, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(usedEvaluation);
        var uses = usedEvaluation.MaxUses > 0 ? $" {usedEvaluation.Uses}/{usedEvaluation.MaxUses} times" : "";
        return $"The approval {RequestRef(used)} was already used{uses}; this change needs a new approval.\n"
            + NeedsApproval(request, policies, next, nextEvaluation, now);
    }

    /// <summary>The requester has too many Pending requests for another one to be made.</summary>
    public static string TooManyPending(AdmissionAttributes request, IReadOnlyList<ApprovalRequest> pending, int cap)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(pending);
        var examples = string.Join(", ", pending.Take(3).Select(RequestRef));
        return $"{Gated(request)} needs approval, but {request.UserInfo.Username} already has {pending.Count} pending approval requests "
            + $"(at most {cap} per requester), e.g. {examples}; no new request was made.\n"
            + "Wait until they are approved, denied or expire (kubectl jit list --mine -A), or ask an approver to deny those no longer needed.";
    }

    /// <summary>Warning on a change let through by break-glass.</summary>
    public static string BreakGlassWarning(ApprovalRequest recorded, IReadOnlyList<ApprovalPolicy> policies)
    {
        ArgumentNullException.ThrowIfNull(recorded);
        return $"break-glass: allowed without approval despite {PolicyNames(policies)}; recorded as {RequestRef(recorded)}, "
            + "which approvers review afterwards";
    }

    /// <summary>Warning on a dry run of a gated change: nothing was created or used.</summary>
    public static string DryRunWarning(IReadOnlyList<ApprovalPolicy> policies, ApprovalRequest? coveringApproval)
    {
        return coveringApproval is null
            ? $"dry run: the real request would need approval ({PolicyList(policies)}); no approval request was created"
            : $"dry run: the real request is gated by {PolicyNames(policies)} and would use the approval {RequestRef(coveringApproval)}";
    }

    /// <summary>Fail closed: a gated request the webhook could not decide is denied, with why, and no stack trace.</summary>
    public static string InternalError(string reason) =>
        $"jit-admission could not decide: {OneLine(FirstLine(reason), MaxReasonChars)}; the request is denied to stay safe. "
        + "Retry; if it keeps failing, ask the cluster admin to check the jit-admission logs.";

    public static string ApproveCommand(string name, string @namespace) => $"kubectl jit approve {name} -n {@namespace}";

    public static string PatchCommand(string name, string @namespace) =>
        $"kubectl patch areq {name} -n {@namespace} --type=json -p "
        + "'[{\"op\":\"add\",\"path\":\"/spec/reviews/-\",\"value\":{\"reviewer\":\"<you>\",\"decision\":\"Approve\"}}]'";

    /// <summary>"UPDATE deployments prod/web".</summary>
    public static string Gated(AdmissionAttributes request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var name = request.Name.Length > 0 ? request.Name : "(generated name)";
        // A Helm release record stands for its revision's objects (docs/semantics.md "Helm releases").
        if (Changes.HelmRelease.MayBe(request))
            return $"Helm release {name[Changes.HelmRelease.NamePrefix.Length..]} in {request.Namespace} (the gated objects of this revision)";
        return $"{request.Operation} {request.ResourceWithSubresource} {RequestScope.DisplayTarget(request, name)}";
    }

    private static void AppendRequestAndHowTo(StringBuilder text, ApprovalRequest approvalRequest, ApprovalEvaluation evaluation, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(approvalRequest);
        ArgumentNullException.ThrowIfNull(evaluation);
        var name = approvalRequest.Metadata?.Name ?? "";
        var ns = approvalRequest.Metadata?.NamespaceProperty ?? "";
        text.Append("ApprovalRequest ").Append(name).Append(" in namespace ").Append(ns).Append(": ");
        if (evaluation.MissingPolicies.Count > 0 || !evaluation.Effective.CanBeSatisfied)
        {
            text.Append(evaluation.Message).Append(".\nAsk the cluster admin to fix the policy; approving this request cannot help.");
            return;
        }

        text.Append("approvals ").Append(evaluation.Progress).Append(" (")
            .Append(ApproverText.Progress(evaluation.Requirements)).Append("); expires in ")
            .Append(TimeText.Relative(evaluation.ExpiresAt - now)).Append(" (").Append(TimeText.Absolute(evaluation.ExpiresAt)).Append(").\n")
            .Append("An approver runs: ").Append(ApproveCommand(name, ns)).Append('\n')
            .Append("  or: ").Append(PatchCommand(name, ns)).Append('\n')
            .Append("Once it is approved, run the same command again.");
    }

    private static string RequestRef(ApprovalRequest request) =>
        $"ApprovalRequest {request.Metadata?.Name} in namespace {request.Metadata?.NamespaceProperty}";

    private static string PolicyNames(IReadOnlyList<ApprovalPolicy> policies) =>
        (policies.Count == 1 ? "policy " : "policies ") + string.Join(", ", policies.Select(p => p.Metadata?.Name));

    /// <summary>"policy prod-changes: ask #sre-oncall" — each policy with its message for requesters.</summary>
    private static string PolicyList(IReadOnlyList<ApprovalPolicy> policies) =>
        (policies.Count == 1 ? "policy " : "policies ") + string.Join("; ", policies.Select(p =>
            string.IsNullOrWhiteSpace(p.Spec.Message) ? p.Metadata?.Name : $"{p.Metadata?.Name}: {OneLine(p.Spec.Message, MaxReasonChars)}"));

    // Exception texts may carry a stack trace after the first line; kubectl users need only the first.
    private static string FirstLine(string text)
    {
        var line = text.AsSpan().Trim();
        var end = line.IndexOfAny('\r', '\n');
        return (end < 0 ? line : line[..end]).ToString();
    }

    private static string OneLine(string text, int max)
    {
        var line = text.ReplaceLineEndings(" ").Trim();
        return line.Length <= max ? line : string.Concat(line.AsSpan(0, max - 1), "…");
    }
}
