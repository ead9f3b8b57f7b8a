using System.Text;

namespace JitAdmission.Cli.Output;

/// <summary>What <c>kubectl jit approve|deny</c> prints after the review was accepted: the resulting state of the request.</summary>
internal static class ReviewReport
{
    public static string Render(RequestView view, CallerIdentity me, ReviewDecision decision)
    {
        ArgumentNullException.ThrowIfNull(view);
        ArgumentNullException.ThrowIfNull(me);
        var name = view.Fetched.Name;
        var text = new StringBuilder();
        text.Append($"approvalrequest/{name} {(decision == ReviewDecision.Approve ? "approved" : "denied")} by {me.Username}\n");

        if (view.Source is ViewSource.Unknown or ViewSource.StaleStatus)
        {
            text.Append("Your review was recorded; jit-admission will update the request's progress (kubectl jit describe ")
                .Append(name).Append(" -n ").Append(view.Fetched.Namespace).Append(").\n");
            return Safe(text.ToString());
        }

        text.Append($"Now {view.DisplayPhase}, approvals {view.Approvals}");
        if (view.Message.Length > 0) text.Append(": ").Append(view.Message);
        text.Append('\n');

        var mine = view.Decisions.LastOrDefault(d => d.Reviewer == me.Username);
        if (mine?.IgnoredReason is { Length: > 0 } why)
        {
            text.Append("Note: your review does not count: ").Append(why);
            var stamped = view.Request.Spec.Reviews.LastOrDefault(r => r.Reviewer == me.Username)?.Groups is not null;
            if (!stamped && why == JitAdmission.Core.Approval.ApprovalEvaluator.IgnoredNotEligible)
                text.Append(" (your groups were not stamped on the review: jit-admission's mutating webhook did not run)");
            text.Append('\n');
        }

        if (view.Phase == RequestPhase.Approved)
            text.Append($"{view.Request.Spec.Requester.Username} can go ahead now.\n");
        return Safe(text.ToString());
    }

    // The status message quotes comments and reasons other people wrote: never raw control characters.
    private static string Safe(string text) => TerminalText.Escape(text, multiline: true);
}
