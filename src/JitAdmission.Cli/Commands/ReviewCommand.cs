using System.Net;

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
        var name = Flag.RequestName($"The approval request to {verb}");
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

        CommandAction.SetWithSession(command, common, context, async (parse, session, cancellationToken) =>
        {
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
            if (ReviewRefusal.Check(current, policies, me, decision, comment, context.Time.GetUtcNow()) is { } refusal)
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
                // A patch that could not be applied (the resourceVersion test failed: the request changed between reading
                // and patching) is a 422 about no object; it matters only when the reviews array had to be created. Read it again.
                if (failure is { Code: HttpStatusCode.UnprocessableEntity, Details: null or { Kind: null or "" } } && !current.HasReviewsArray && attempt < MaxAttempts)
                    continue;
                // The CRD's one-review-per-reviewer rule (a list-map keyed by reviewer) names the duplicate as its cause.
                if (failure is not null && failure.HasCause("FieldValueDuplicate"))
                    throw new CliException($"you ({me.Username}) have already reviewed approvalrequest/{name}; there is one review per "
                        + "reviewer and it cannot be changed", e);
                if (failure is not null && !failure.IsPermissionDenied)
                    throw new CliException($"cannot {verb} approvalrequest/{name}: {ApiErrors.Explain(e, user: me.Username).Message}", e);
                throw ApiErrors.Explain(e, ApprovalRequestApi.Subject(name, @namespace), me.Username);
            }
        }
    }
}
