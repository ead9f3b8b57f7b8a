using Prometheus;

namespace JitAdmission.Controller.Hosting;

/// <summary>
/// What the leader reports for its term: <c>jitadmission_leader</c> (1 while this replica runs the controller, else 0;
/// summed over replicas it is 1 when all is well) and the pending ApprovalRequests per named policy, counted from the
/// cache when scraped. Only the leader reports them, so a sum over replicas counts each request once and a replica that
/// lost the lease reports nothing stale.
/// </summary>
public sealed class LeaderMetrics
{
    private readonly IResourceCacheReader<ApprovalRequest> _requests;
    private readonly Gauge _leader;
    private readonly Gauge _pending;
    private int _leading;

    public LeaderMetrics(CollectorRegistry registry, IResourceCacheReader<ApprovalRequest> requests)
    {
        ArgumentNullException.ThrowIfNull(registry);
        _requests = requests ?? throw new ArgumentNullException(nameof(requests));
        var factory = Metrics.WithCustomRegistry(registry);
        _leader = factory.CreateGauge("jitadmission_leader",
            "1 while this replica is the elected leader running the controller, else 0.");
        _pending = factory.CreateGauge("jitadmission_approval_requests_pending",
            "ApprovalRequests waiting for approval, per named policy (reported by the leader only).",
            new GaugeConfiguration { LabelNames = ["policy"] });
        // Counted when scraped, not kept up to date on every change: a scrape every few seconds is the only reader.
        registry.AddBeforeCollectCallback(CountPending);
    }

    public bool IsLeading => Volatile.Read(ref _leading) == 1;

    public void TermStarted()
    {
        Volatile.Write(ref _leading, 1);
        _leader.Set(1);
    }

    public void TermEnded()
    {
        Volatile.Write(ref _leading, 0);
        _leader.Set(0);
    }

    private void CountPending()
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        if (IsLeading)
        {
            foreach (var request in _requests.List())
            {
                // Not yet reconciled (no status) is pending too: the controller has not caught up with it.
                if (request.Status?.Phase is not (null or RequestPhase.Pending) || request.Spec.BreakGlass) continue;
                foreach (var policy in request.Spec.Policies.Distinct(StringComparer.Ordinal))
                    counts[policy] = counts.GetValueOrDefault(policy) + 1;
            }
        }

        // A policy with nothing pending (or every policy, off the leader) drops its series rather than reporting 0 forever.
        foreach (var labels in _pending.GetAllLabelValues().ToList())
        {
            if (!counts.ContainsKey(labels[0])) _pending.RemoveLabelled(labels);
        }

        foreach (var (policy, count) in counts) _pending.WithLabels(policy).Set(count);
    }
}
