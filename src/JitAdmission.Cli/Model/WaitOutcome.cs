namespace JitAdmission.Cli.Model;

/// <summary>How waiting for a request ends, and the exit code for it.</summary>
internal sealed record WaitOutcome(int ExitCode, RequestPhase Phase, string Summary)
{
    /// <summary>The outcome once the request has left Pending; null while it is still pending.</summary>
    public static WaitOutcome? From(RequestView view)
    {
        ArgumentNullException.ThrowIfNull(view);
        if (view.Phase is not { } phase) return null;
        int? code = phase switch
        {
            RequestPhase.Approved or RequestPhase.BreakGlass => ExitCodes.Success,
            RequestPhase.Denied => ExitCodes.Denied,
            RequestPhase.Expired => ExitCodes.Expired,
            RequestPhase.Consumed => ExitCodes.Consumed,
            _ => null,
        };
        if (code is null) return null;
        // The evaluator's messages say what happened ("approved by bob; the approval ends in 14m", "denied by carol: …").
        var what = view.Message.Length > 0 ? view.Message : phase.ToString();
        // The message quotes reviewers' comments and requesters' reasons: never raw control characters.
        return new WaitOutcome(code.Value, phase, TerminalText.Escape($"approvalrequest/{view.Fetched.Name} {phase}: {what}"));
    }
}
