using System.Net;
using k8s.Autorest;

namespace JitAdmission.Kubernetes.Leadership;

/// <summary>
/// One campaign for a coordination.k8s.io Lease, as KubernetesClient's LeaderElector with a LeaseLock does it (which
/// KubernetesClient.Aot does not ship): <see cref="RunUntilLeadershipLostAsync"/> acquires the Lease (retrying every
/// retry period, with jitter), raises <see cref="StartedLeading"/>, renews every retry period, and returns after
/// <see cref="StoppedLeading"/> once a renewal has not succeeded within the renew deadline. A Lease with a holder is
/// free to take once its holder has not renewed it for its duration, as observed here; an empty holder is free at once.
/// </summary>
internal sealed class LeaseElector(
    IKubernetes client, string @namespace, string name, string identity,
    TimeSpan leaseDuration, TimeSpan renewDeadline, TimeSpan retryPeriod, TimeProvider time)
{
    private const double JitterFactor = 1.2;

    private volatile LeaseRecord? _observed;
    private DateTimeOffset _observedTime = DateTimeOffset.MinValue;
    private string? _reportedLeader;
    private V1Lease? _lease;

    public event Action? StartedLeading;

    public event Action? StoppedLeading;

    /// <summary>A different holder was observed (ourselves included).</summary>
    public event Action<string>? NewLeader;

    /// <summary>A failed read or write of the Lease; the campaign goes on.</summary>
    public event Action<Exception>? Error;

    private bool IsLeader => _observed?.Holder is { } holder && holder == identity;

    public async Task RunUntilLeadershipLostAsync(CancellationToken cancellationToken)
    {
        await AcquireAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            StartedLeading?.Invoke();
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var renewal = Task.Run(() => RenewAsync(cancellationToken), CancellationToken.None);
                if (await Task.WhenAny(renewal, Task.Delay(renewDeadline, time, cancellationToken)).ConfigureAwait(false) != renewal
                    || !await renewal.ConfigureAwait(false))
                    break;
                await Task.Delay(retryPeriod, time, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            StoppedLeading?.Invoke();
        }
    }

    private async Task<bool> RenewAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (!await TryAcquireOrRenewAsync(cancellationToken).ConfigureAwait(false))
            {
                await Task.Delay(retryPeriod, time, cancellationToken).ConfigureAwait(false);
                ReportTransition();
            }

            return true;
        }
        catch (Exception e)
        {
            Error?.Invoke(e);
            return false;
        }
    }

    private async Task AcquireAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                var attempt = TryAcquireOrRenewAsync(cancellationToken);
                var timeout = retryPeriod * JitterFactor * (1 + Jitter.NextDouble());
                if (await Task.WhenAny(attempt, Task.Delay(timeout, time, cancellationToken)).ConfigureAwait(false) == attempt)
                {
                    if (await attempt.ConfigureAwait(false)) return;
                    await Task.Delay(retryPeriod, time, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    _ = attempt.ContinueWith(t => Error?.Invoke(t.Exception!), CancellationToken.None,
                        TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
                }
            }
            finally
            {
                ReportTransition();
            }
        }
    }

    private async Task<bool> TryAcquireOrRenewAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var record = new LeaseRecord(identity, (int)leaseDuration.TotalSeconds, now.UtcDateTime, now.UtcDateTime, 0);

        // 1. Read the Lease, or create it.
        LeaseRecord? old = null;
        try
        {
            _lease = await client.CoordinationV1.ReadNamespacedLeaseAsync(name, @namespace, cancellationToken: cancellationToken).ConfigureAwait(false);
            old = LeaseRecord.Of(_lease);
        }
        catch (HttpOperationException e) when (e.Response?.StatusCode == HttpStatusCode.NotFound)
        {
        }
        catch (HttpOperationException e)
        {
            Error?.Invoke(e);
            return false;
        }

        if (old is not { Holder: not null, AcquireTime: not null, RenewTime: not null })
        {
            try
            {
                _lease = await client.CoordinationV1.CreateNamespacedLeaseAsync(
                    record.ToLease(new V1Lease { Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = @namespace } }),
                    @namespace, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            catch (HttpOperationException)
            {
                return false;
            }

            Observe(record);
            return true;
        }

        // 2. Someone else holds it and has renewed within its duration (as far as we have seen): not ours to take.
        if (_observed is not { } seen || seen.Holder != old.Holder || seen.AcquireTime != old.AcquireTime || seen.RenewTime != old.RenewTime)
            Observe(old);
        if (!string.IsNullOrEmpty(old.Holder) && _observedTime + TimeSpan.FromSeconds(old.DurationSeconds) > time.GetUtcNow() && !IsLeader)
            return false;

        // 3. Renew (keeping when we acquired it) or take over.
        record = IsLeader
            ? record with { AcquireTime = old.AcquireTime, Transitions = old.Transitions }
            : record with { Transitions = old.Transitions + 1 };
        try
        {
            _lease = await client.CoordinationV1.ReplaceNamespacedLeaseAsync(record.ToLease(_lease!), name, @namespace, cancellationToken: cancellationToken)
                .ConfigureAwait(false);
        }
        catch (HttpOperationException)
        {
            return false;
        }

        Observe(record);
        return true;
    }

    private void Observe(LeaseRecord record)
    {
        _observed = record;
        _observedTime = time.GetUtcNow();
    }

    private void ReportTransition()
    {
        if (_observed?.Holder is not { } holder || holder == _reportedLeader) return;
        _reportedLeader = holder;
        NewLeader?.Invoke(holder);
    }

    private sealed record LeaseRecord(string? Holder, int DurationSeconds, DateTime? AcquireTime, DateTime? RenewTime, int Transitions)
    {
        // 15 s when unset, as the API server's default.
        public static LeaseRecord Of(V1Lease lease) =>
            new(lease.Spec?.HolderIdentity, lease.Spec?.LeaseDurationSeconds ?? 15, lease.Spec?.AcquireTime, lease.Spec?.RenewTime,
                lease.Spec?.LeaseTransitions ?? 0);

        public V1Lease ToLease(V1Lease lease)
        {
            lease.Spec = new V1LeaseSpec
            {
                HolderIdentity = Holder,
                LeaseDurationSeconds = DurationSeconds,
                AcquireTime = AcquireTime,
                RenewTime = RenewTime,
                LeaseTransitions = Transitions,
            };
            return lease;
        }
    }
}
