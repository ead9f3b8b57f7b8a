using JitAdmission.Controller.Crds;

namespace JitAdmission.Controller.Hosting;

/// <summary>
/// Runs the controller while this replica leads: waits for leadership, runs a <see cref="ControllerTerm"/> with that
/// term's token, and when the term ends waits again. The state lives in the API server and the caches, so a
/// hand-over loses nothing: the next leader replays everything.
/// </summary>
public sealed class ControllerHost(
    ILeadership leadership, ControllerTerm term, CrdUpgrader crds, LeaderMetrics metrics, TimeProvider time, ILogger<ControllerHost> logger) : BackgroundService
{
    private static readonly TimeSpan RestartDelay = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            CancellationToken leading;
            try
            {
                leading = await leadership.WaitForLeadershipAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }

            using var both = CancellationTokenSource.CreateLinkedTokenSource(leading, stoppingToken);
            ControllerHostLog.TermStarted(logger);
            metrics.TermStarted();
            try
            {
                await crds.EnsureAsync(both.Token);
                await term.RunAsync(both.Token);
            }
            catch (OperationCanceledException) when (both.IsCancellationRequested)
            {
            }
            catch (Exception e)
            {
                // Still leading (or not): start over from a full replay after a pause, never spin.
                ControllerHostLog.TermFailed(logger, e);
                try
                {
                    await Task.Delay(RestartDelay, time, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    metrics.TermEnded();
                    return;
                }
            }

            metrics.TermEnded();
            ControllerHostLog.TermEnded(logger);
        }
    }
}
