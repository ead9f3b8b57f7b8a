namespace JitAdmission.Kubernetes.Tests.Support;

/// <summary>Runs a long-running loop (a cache, an elector, …) for the span of a test and stops it on dispose.</summary>
public sealed class Running : IAsyncDisposable
{
    private readonly CancellationTokenSource _cts = new();

    private Running(Func<CancellationToken, Task> run)
    {
        Task = Task.Run(() => run(_cts.Token));
    }

    public Task Task { get; }

    public static Running Start(Func<CancellationToken, Task> run) => new(run);

    /// <summary>Cancels the loop and waits (bounded) for it to finish; rethrows anything but cancellation.</summary>
    public async Task StopAsync()
    {
        await _cts.CancelAsync();
        try
        {
            await Task.WaitAsync(TimeSpan.FromSeconds(15));
        }
        catch (OperationCanceledException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _cts.Dispose();
    }
}
