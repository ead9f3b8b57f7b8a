namespace JitAdmission.Controller.Queue;

/// <summary>
/// Level-based reconciliation (controller-runtime style): N workers take keys from a <see cref="WorkQueue{TKey}"/>
/// and call the reconciler. A returned delay re-queues the key after it (e.g. the next expiry); an exception
/// re-queues it with the key's exponential backoff; success resets the backoff. One key is never reconciled by
/// two workers at once.
/// </summary>
public sealed partial class ReconcileLoop<TKey>
    where TKey : notnull
{
    private readonly WorkQueue<TKey> _queue;
    private readonly Func<TKey, CancellationToken, Task<TimeSpan?>> _reconcile;
    private readonly int _workers;
    private readonly ILogger _logger;
    private readonly string _name;

    public ReconcileLoop(
        string name,
        WorkQueue<TKey> queue,
        Func<TKey, CancellationToken, Task<TimeSpan?>> reconcile,
        ILogger logger,
        int workers = 2)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(workers, 1);
        _name = name;
        _queue = queue;
        _reconcile = reconcile;
        _workers = workers;
        _logger = logger;
    }

    public WorkQueue<TKey> Queue => _queue;

    /// <summary>Runs the workers until cancelled; then shuts the queue down and waits for in-flight reconciles.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        LogStarted(_logger, _name, _workers);
        var workers = Enumerable.Range(0, _workers).Select(_ => Task.Run(() => WorkAsync(cancellationToken), CancellationToken.None)).ToArray();
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
        catch (OperationCanceledException)
        {
        }

        _queue.ShutDown();
        await Task.WhenAll(workers);
        LogStopped(_logger, _name);
    }

    private async Task WorkAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            TKey key;
            try
            {
                var (ok, next) = await _queue.GetAsync(cancellationToken);
                if (!ok) return;
                key = next;
            }
            catch (OperationCanceledException)
            {
                return;
            }

            try
            {
                var requeueAfter = await _reconcile(key, cancellationToken);
                _queue.Forget(key);
                if (requeueAfter is { } delay) _queue.AddAfter(key, delay);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // Shutting down: the key is simply dropped, the next leader starts from a full list anyway.
            }
            catch (Exception e)
            {
                LogReconcileFailed(_logger, e, _name, key.ToString() ?? "", _queue.NumRequeues(key) + 1);
                _queue.AddRateLimited(key);
            }
            finally
            {
                _queue.Done(key);
            }
        }
    }

    [LoggerMessage(EventId = 2001, Level = LogLevel.Warning, Message = "{Controller}: reconciling {Key} failed (retry {Retry} with backoff)")]
    private static partial void LogReconcileFailed(ILogger logger, Exception exception, string controller, string key, int retry);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Information, Message = "{Controller}: {Workers} workers started")]
    private static partial void LogStarted(ILogger logger, string controller, int workers);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Information, Message = "{Controller}: stopped")]
    private static partial void LogStopped(ILogger logger, string controller);
}
