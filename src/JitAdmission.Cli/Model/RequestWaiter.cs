namespace JitAdmission.Cli.Model;

/// <summary>
/// Waits until a request leaves Pending, watching it (no polling) and reporting each change of its progress on stderr.
/// It also wakes at the request's own deadline (expiry), so that a request nobody touches still ends as Expired.
/// </summary>
internal sealed class RequestWaiter(ClusterSession session, CliContext context)
{
    private const int MaxWatchSeconds = 300;
    private const int MaxConsecutiveFailures = 5;
    private static readonly TimeSpan DeadlineSlack = TimeSpan.FromSeconds(1);

    private string? _lastReport;
    private bool _hinted;

    /// <param name="timeout">How long to wait at most; zero waits until the request is decided or expires.</param>
    public Task<WaitOutcome> WaitAsync(string @namespace, string name, TimeSpan timeout, CancellationToken cancellationToken) =>
        WaitUntilAsync(@namespace, name, timeout > TimeSpan.Zero ? context.Time.GetUtcNow() + timeout : null, timeout, cancellationToken);

    /// <summary>Waits until <paramref name="deadline"/> (null: no limit), which ends the --timeout of <paramref name="timeout"/>.</summary>
    public async Task<WaitOutcome> WaitUntilAsync(
        string @namespace, string name, DateTimeOffset? deadline, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var time = context.Time;
        var failures = 0;
        while (true)
        {
            session.RefreshPolicies();
            var fetched = await session.Requests.GetAsync(@namespace, name, cancellationToken);
            var view = await ObserveAsync(fetched, cancellationToken);
            if (WaitOutcome.From(view) is { } done) return done;
            if (deadline is { } d && time.GetUtcNow() >= d) return TimedOut(view, timeout);

            var wakeAt = Earliest(deadline, view.NextDeadline + DeadlineSlack);
            var seconds = wakeAt is { } w ? (int)Math.Clamp(Math.Ceiling((w - time.GetUtcNow()).TotalSeconds), 1, MaxWatchSeconds) : MaxWatchSeconds;
            using var wake = new CancellationTokenSource(TimeSpan.FromSeconds(seconds), time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, wake.Token);
            try
            {
                await foreach (var e in session.Requests.WatchAsync(@namespace, name, fetched.ResourceVersion, seconds, linked.Token))
                {
                    if (e.Type == WatchEventType.Deleted)
                        throw new CliException($"approvalrequest/{name} in namespace {@namespace} was deleted while waiting for it");
                    if (e.Type == WatchEventType.Error) break;
                    if (e.Request is null) continue;
                    var changed = await ObserveAsync(e.Request, linked.Token);
                    if (WaitOutcome.From(changed) is { } outcome) return outcome;
                }

                failures = 0;
            }
            catch (Exception) when (wake.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                // Woken for a deadline (the request's expiry or --timeout): look again.
            }
            catch (Exception e) when (e is not CliException && !cancellationToken.IsCancellationRequested)
            {
                // Not being allowed to watch will not pass by retrying.
                if (ApiErrors.IsForbidden(e) || ++failures > MaxConsecutiveFailures) throw ApiErrors.Explain(e, user: session.KnownUsername);
                await Task.Delay(TimeSpan.FromSeconds(Math.Min(10, 1 << (failures - 1))), time, cancellationToken);
            }
        }
    }

    private async Task<RequestView> ObserveAsync(FetchedRequest fetched, CancellationToken cancellationToken)
    {
        var policies = await session.PoliciesAsync(cancellationToken);
        var view = RequestView.Build(fetched, policies, context.Time.GetUtcNow());
        var report = Report(view);
        if (report != _lastReport)
        {
            _lastReport = report;
            var stamp = context.Time.GetLocalNow().ToString("HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture);
            await context.Err.WriteLineAsync(TerminalText.Escape($"[{stamp}] approvalrequest/{fetched.Name}: {view.DisplayPhase}, approvals {view.Approvals}"
                + (view.Requirements.Count > 0 ? $" ({ApprovalProgress(view)})" : "")
                + (view.IsPending && view.ExpiresAt is { } x ? $"; expires at {TimeText.Absolute(x)}" : "")
                + (fetched.Request.Spec.Reviews.Count > 0 ? "; reviews: " + string.Join(", ", fetched.Request.Spec.Reviews.Select(r => $"{r.Reviewer} {r.Decision}")) : "")));
        }

        if (!_hinted && view.Source == ViewSource.Unknown)
        {
            _hinted = true;
            await context.Err.WriteLineAsync("note: jit-admission has not written a status for this request yet and the ApprovalPolicies "
                + "cannot be read, so progress shows only once jit-admission's controller updates the request");
        }

        return view;
    }

    private static string Report(RequestView view) =>
        $"{view.DisplayPhase}|{view.Approvals}|{ApprovalProgress(view)}|{string.Join(",", view.Request.Spec.Reviews.Select(r => r.Reviewer))}";

    private static string ApprovalProgress(RequestView view) => ApproverText.Progress(view.Requirements, approvedBy: true);

    private static WaitOutcome TimedOut(RequestView view, TimeSpan timeout) =>
        new(ExitCodes.TimedOut, RequestPhase.Pending,
            $"timed out after {TimeText.Relative(timeout)} waiting for approvalrequest/{view.Fetched.Name}"
            + (view.Message.Length > 0 ? $": {view.Message}" : ""));

    private static DateTimeOffset? Earliest(DateTimeOffset? a, DateTimeOffset? b) =>
        a is null ? b : b is null ? a : a < b ? a : b;
}
