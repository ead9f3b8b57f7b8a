using k8s.Autorest;
using Microsoft.Extensions.Options;

namespace JitAdmission.Kubernetes.Leadership;

/// <summary>
/// Leader election through a coordination.k8s.io Lease (<see cref="LeaseElector"/>, as KubernetesClient's LeaderElector + LeaseLock), retried
/// for as long as <see cref="RunAsync"/> runs. On graceful shutdown the leader releases the Lease (empty holder,
/// 1s duration, as client-go's ReleaseOnCancel), so another replica takes over within a retry period instead of
/// waiting out a whole lease duration.
/// </summary>
public sealed class LeaderElection : IDisposable
{
    private readonly IKubernetes _client;
    private readonly LeaderElectionOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string _lease;
    private readonly Lock _gate = new();
    private CancellationTokenSource? _term;
    private volatile string? _leader;
    private int _running;
    private Func<CancellationToken, Task>? _whileLeading;
    private Task _work = Task.CompletedTask;

    public LeaderElection(IKubernetes client, IOptions<LeaderElectionOptions> options, TimeProvider time, ILogger<LeaderElection> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _options.Validate();
        _client = client;
        _time = time;
        _logger = logger;
        Identity = _options.Identity ?? DefaultIdentity();
        _lease = $"{_options.Namespace}/{_options.LeaseName}";
    }

    public string Identity { get; }

    public bool IsLeader
    {
        get
        {
            lock (_gate) return _term is not null;
        }
    }

    /// <summary>The holder last observed in the Lease (ourselves when leading).</summary>
    public string? CurrentLeader => _leader;

    /// <summary>Cancelled when the current leadership term ends; already cancelled when not leading.</summary>
    public CancellationToken LeadershipToken
    {
        get
        {
            lock (_gate) return _term?.Token ?? new CancellationToken(canceled: true);
        }
    }

    /// <summary>Raised on the election's thread when we become leader; start work with the given token and return.</summary>
    public event EventHandler<LeadershipStartedEventArgs>? StartedLeading;

    /// <summary>Raised after the term's token was cancelled (leadership lost, or stopping).</summary>
    public event EventHandler? StoppedLeading;

    public event EventHandler<LeaderObservedEventArgs>? NewLeader;

    /// <summary>The pod name (or host name) plus a unique suffix, so a restarted pod never reuses an old identity.</summary>
    public static string DefaultIdentity()
    {
        var host = Environment.GetEnvironmentVariable("POD_NAME");
        if (string.IsNullOrEmpty(host)) host = Environment.GetEnvironmentVariable("HOSTNAME");
        if (string.IsNullOrEmpty(host)) host = Environment.MachineName;
        return $"{host}_{Guid.NewGuid():N}"[..Math.Min(host.Length + 11, 253)];
    }

    /// <summary>Campaigns, leads, and campaigns again after a loss, until cancelled; then releases the Lease if held.</summary>
    public Task RunAsync(CancellationToken cancellationToken) => RunAsync(null, cancellationToken);

    /// <summary>
    /// As <see cref="RunAsync(CancellationToken)"/>, running <paramref name="whileLeading"/> during each term with the
    /// term's token. When a term ends the work is awaited before campaigning again or releasing the Lease, so the
    /// next leader never overlaps with work still running here.
    /// </summary>
    public async Task RunAsync(Func<CancellationToken, Task>? whileLeading, CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _running, 1) == 1) throw new InvalidOperationException("leader election is already running");
        _whileLeading = whileLeading;
        var elector = new LeaseElector(
            _client, _options.Namespace, _options.LeaseName, Identity, _options.LeaseDuration, _options.RenewDeadline, _options.RetryPeriod, _time);
        elector.StartedLeading += OnStarted;
        elector.StoppedLeading += OnStopped;
        elector.NewLeader += OnNewLeader;
        elector.Error += e => LeaderElectionLog.Error(_logger, e, _lease);
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                try
                {
                    await elector.RunUntilLeadershipLostAsync(cancellationToken);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    break;
                }
                catch (Exception e)
                {
                    LeaderElectionLog.Error(_logger, e, _lease);
                }

                OnStopped();
                await DrainWorkAsync();
                try
                {
                    await Task.Delay(_options.RetryPeriod, _time, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }
        finally
        {
            OnStopped();
            await DrainWorkAsync();
            await ReleaseAsync();
        }
    }

    /// <summary>Ends the current term (cancels its token); stop <see cref="RunAsync"/> to also release the Lease.</summary>
    public void Dispose() => OnStopped();

    private void OnStarted()
    {
        CancellationToken token;
        lock (_gate)
        {
            _term?.Cancel();
            _term?.Dispose();
            _term = new CancellationTokenSource();
            token = _term.Token;
        }

        _leader = Identity;
        LeaderElectionLog.StartedLeading(_logger, Identity, _lease);
        if (_whileLeading is { } work) _work = Task.Run(() => work(token), CancellationToken.None);
        Raise(() => StartedLeading?.Invoke(this, new LeadershipStartedEventArgs(token)));
    }

    private void OnStopped()
    {
        CancellationTokenSource? term;
        lock (_gate)
        {
            term = _term;
            _term = null;
        }

        if (term is null) return;
        term.Cancel();
        term.Dispose();
        LeaderElectionLog.StoppedLeading(_logger, Identity, _lease);
        Raise(() => StoppedLeading?.Invoke(this, EventArgs.Empty));
    }

    private void OnNewLeader(string leader)
    {
        _leader = leader;
        LeaderElectionLog.NewLeader(_logger, _lease, leader);
        Raise(() => NewLeader?.Invoke(this, new LeaderObservedEventArgs(leader)));
    }

    private async Task DrainWorkAsync()
    {
        try
        {
            await _work;
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception e)
        {
            LeaderElectionLog.WorkFailed(_logger, e, Identity, _lease);
        }
    }

    private async Task ReleaseAsync()
    {
        using var timeout = new CancellationTokenSource(_options.ReleaseTimeout, _time);
        try
        {
            // A renewal still in flight when we were cancelled may land after our read: re-read and retry then.
            for (var attempt = 1; ; attempt++)
            {
                var lease = await _client.CoordinationV1.ReadNamespacedLeaseAsync(_options.LeaseName, _options.Namespace, cancellationToken: timeout.Token);
                if (lease.Spec is null || !string.Equals(lease.Spec.HolderIdentity, Identity, StringComparison.Ordinal)) return;
                var now = _time.GetUtcNow().UtcDateTime;

                // An empty holder (not null: the elector would try to create the existing Lease) is free to take at once.
                lease.Spec.HolderIdentity = "";
                lease.Spec.LeaseDurationSeconds = 1;
                lease.Spec.AcquireTime = now;
                lease.Spec.RenewTime = now;
                try
                {
                    await _client.CoordinationV1.ReplaceNamespacedLeaseAsync(lease, _options.LeaseName, _options.Namespace, cancellationToken: timeout.Token);
                    LeaderElectionLog.Released(_logger, Identity, _lease);
                    return;
                }
                catch (HttpOperationException e) when (e.Response?.StatusCode == System.Net.HttpStatusCode.Conflict && attempt < 5)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(50 * attempt), _time, timeout.Token);
                }
            }
        }
        catch (Exception e)
        {
            // Anything else leaves the Lease to expire after its duration.
            LeaderElectionLog.ReleaseFailed(_logger, e, Identity, _lease);
        }
    }

    private void Raise(Action raise)
    {
        try
        {
            raise();
        }
        catch (Exception e)
        {
            LeaderElectionLog.HandlerFailed(_logger, e);
        }
    }
}
