using System.CommandLine;
using System.Net;
using JitAdmission.Cli.CommandLine;
using JitAdmission.Cli.Kube;
using JitAdmission.Cli.Model;
using JitAdmission.Cli.Output;
using JitAdmission.Core.Api;
using JitAdmission.Core.Approval;
using JitAdmission.Core.Guard;

namespace JitAdmission.Cli.Commands;

/// <summary>
/// <c>kubectl jit approve|deny NAME [-m COMMENT]</c>: appends the caller's review (as their SelfSubjectReview username),
/// after checking it the way jit-admission's guard will, so a review that cannot be accepted is refused with its reason
/// before anything is written.
/// </summary>
internal static class ReviewCommand
{
    private const int MaxAttempts = 3;

    public static Command Create(ReviewDecision decision, CommonOptions common, CliContext context)
    {
        var verb = decision == ReviewDecision.Approve ? "approve" : "deny";
        var name = new Argument<string>("NAME") { Description = $"The approval request to {verb}" };
        var message = new Option<string>("--message", "-m")
        {
            Description = decision == ReviewDecision.Approve ? "A comment for the requester and the audit trail" : "Why you deny it (shown to the requester)",
            HelpName = "COMMENT",
        };
        message.Validators.Add(result =>
        {
            var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
            if (text.Length > ApiLimits.MaxCommentLength)
                result.AddError($"--message is {text.Length} characters long; at most {ApiLimits.MaxCommentLength} are kept");
        });
        var output = OutputOption.Create(OutputFormat.Json, OutputFormat.Yaml, OutputFormat.Name);
        var description = decision == ReviewDecision.Approve
            ? "Approve an approval request (adds your review; any Deny still denies it)"
            : "Deny an approval request (any counted Deny denies it)";
        var command = new Command(verb, description) { name, message, output };

        CommandAction.Set(command, context, async (parse, cancellationToken) =>
        {
            using var session = ClusterSession.Open(common.Read(parse), context);
            var requestName = parse.GetRequiredValue(name);
            var me = await session.WhoAmIAsync(cancellationToken);
            var comment = parse.GetValue(message);
            var result = await ReviewAsync(session, context, session.Namespace, requestName, me, decision, comment, cancellationToken);

            var format = parse.GetValue(output);
            if (format != OutputFormat.Text)
            {
                await context.Out.WriteAsync(ObjectPrinter.One(result, format));
                return ExitCodes.Success;
            }

            var policies = await session.PoliciesAsync(cancellationToken);
            var now = context.Time.GetUtcNow();
            await context.Out.WriteAsync(ReviewReport.Render(RequestView.Build(result, policies, now), me, decision));
            return ExitCodes.Success;
        });
        return command;
    }

    private static async Task<FetchedRequest> ReviewAsync(
        ClusterSession session, CliContext context, string @namespace, string name, CallerIdentity me, ReviewDecision decision,
        string? comment, CancellationToken cancellationToken)
    {
        var verb = decision == ReviewDecision.Approve ? "approve" : "deny";
        for (var attempt = 1; ; attempt++)
        {
            var current = await session.Requests.GetAsync(@namespace, name, cancellationToken);
            var policies = await session.PoliciesAsync(cancellationToken);
            if (Refusal(current, policies, me, decision, comment, context.Time.GetUtcNow()) is { } refusal)
                throw new CliException(refusal);

            var review = ReviewPatch.Review(me.Username, decision, comment);
            var patch = ReviewPatch.Append(review, current.HasReviewsArray, current.ResourceVersion);
            try
            {
                return await session.Requests.JsonPatchAsync(@namespace, name, patch, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                var failure = ApiErrors.Read(e);
                // The request changed between reading and patching (only when the reviews array had to be created): again.
                if (failure is { Code: HttpStatusCode.UnprocessableEntity or HttpStatusCode.Conflict } && !current.HasReviewsArray
                    && failure.Message.Contains("test", StringComparison.OrdinalIgnoreCase) && attempt < MaxAttempts)
                    continue;
                if (failure is not null && failure.Message.Contains("Duplicate value", StringComparison.Ordinal))
                    throw new CliException($"you ({me.Username}) have already reviewed approvalrequest/{name}; there is one review per "
                        + "reviewer and it cannot be changed", e);
                if (failure is not null) throw new CliException($"cannot {verb} approvalrequest/{name}: {ApiErrors.Explain(e).Message}", e);
                throw ApiErrors.Explain(e, ApprovalRequestApi.Subject(name, @namespace));
            }
        }
    }

    /// <summary>Why the review cannot be accepted, checked as jit-admission's guard will; null when it can be sent.</summary>
    internal static string? Refusal(
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
                + "its policies require someone else to review it; " + Approvers(effective);

        var updated = Clone(request);
        updated.Spec.Reviews.Add(new Review { Reviewer = me.Username, Decision = decision, Comment = comment, Groups = [.. me.Groups] });
        var errors = RequestGuard.ValidateUpdate(request, updated, me.ToUserInfo(), policies.Find, isOperator: false, now);
        return errors.Count == 0 ? null : $"cannot {verb} approvalrequest/{current.Name}: {string.Join("; ", errors)}";
    }

    private static string Approvers(EffectiveApproval effective) =>
        effective.Entries.Count == 0
            ? "its policies list no approvers"
            : "ask " + string.Join(" and ", effective.Entries.Select(e =>
                $"{e.Name} ({e.MinApprovals} of " + string.Join(", ", e.Groups.Select(g => $"group {g}").Concat(e.Users.Select(u => $"user {u}"))) + ")"));

    private static ApprovalRequest Clone(ApprovalRequest request) =>
        k8s.KubernetesJson.Deserialize<ApprovalRequest>(k8s.KubernetesJson.Serialize(request));
}
