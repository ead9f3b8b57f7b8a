using JitAdmission.Core.Gate;
using Prometheus;

namespace JitAdmission.Webhook;

/// <summary>
/// The webhook's Prometheus series. Labels stay bounded: endpoints are the mapped paths, operations the four
/// admission operations, outcomes a fixed set, policies the cluster's ApprovalPolicies; never uids or users.
/// The gating handler reports held calls through <see cref="BeginHold"/>.
/// </summary>
public sealed class AdmissionMetrics
{
    /// <summary>From 25 µs (the no-match path) to 30 s (the longest hold the API server allows).</summary>
    internal static readonly double[] DurationBuckets =
    [
        0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
        1, 2.5, 5, 10, 15, 20, 25, 30,
    ];

    internal static readonly double[] WaitBuckets = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 20, 25, 30];

    private static readonly string[] KnownOutcomes =
        ["allow", "consume", "retry", "hold", "deny", "warn", "audit", "breakglass", "error", "timeout"];

    private static readonly string[] OutcomeLabels = [.. KnownOutcomes, "other"];

    private static readonly string[] HoldResultLabels = ["approved", "denied", "timed_out", "cancelled"];

    private readonly TimeProvider _time;
    private readonly Counter _requests;
    private readonly Histogram _duration;
    private readonly Histogram _decision;
    private readonly Counter _badRequests;
    private readonly Counter _clientRefusals;
    private readonly Counter _policyDecisions;
    private readonly Gauge _held;
    private readonly Histogram _wait;

    public AdmissionMetrics(CollectorRegistry registry, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(registry);
        _time = time ?? throw new ArgumentNullException(nameof(time));
        var factory = Metrics.WithCustomRegistry(registry);
        _requests = factory.CreateCounter("jitadmission_admission_requests_total",
            "Admission reviews answered, by endpoint, operation and outcome.",
            new CounterConfiguration { LabelNames = ["endpoint", "operation", "outcome"] });
        _duration = factory.CreateHistogram("jitadmission_admission_duration_seconds",
            "Server-side time to answer an admission review, from request start to response written.",
            new HistogramConfiguration { LabelNames = ["endpoint"], Buckets = DurationBuckets });
        _decision = factory.CreateHistogram("jitadmission_admission_decision_seconds",
            "Time to decide once the request body is in: reading the review and the handler (a hold included), without the network.",
            new HistogramConfiguration { LabelNames = ["endpoint"], Buckets = DurationBuckets });
        _badRequests = factory.CreateCounter("jitadmission_admission_bad_requests_total",
            "Requests refused before reaching a handler, by reason.",
            new CounterConfiguration { LabelNames = ["reason"] });
        _clientRefusals = factory.CreateCounter("jitadmission_admission_client_refusals_total",
            "Callers of the admission paths refused because they did not authenticate as the API server (Webhook:ClientCaFile), by reason.",
            new CounterConfiguration { LabelNames = ["reason"] });
        _policyDecisions = factory.CreateCounter("jitadmission_policy_decisions_total",
            "Decisions involving an ApprovalPolicy, by policy and outcome.",
            new CounterConfiguration { LabelNames = ["policy", "outcome"] });
        _held = factory.CreateGauge("jitadmission_held_calls", "API calls currently held waiting for approval.");
        _wait = factory.CreateHistogram("jitadmission_approval_wait_seconds",
            "How long held calls waited, by result.",
            new HistogramConfiguration { LabelNames = ["result"], Buckets = WaitBuckets });
    }

    /// <summary>Starts counting a held call; complete or dispose the result when the hold ends.</summary>
    public HeldCall BeginHold()
    {
        _held.Inc();
        return new HeldCall(this, _time.GetTimestamp());
    }

    internal void EndHold(long started, HoldResult result)
    {
        _held.Dec();
        var label = (uint)result < (uint)HoldResultLabels.Length ? HoldResultLabels[(int)result] : "cancelled";
        _wait.WithLabels(label).Observe(_time.GetElapsedTime(started).TotalSeconds);
    }

    /// <summary>Pre-resolved per endpoint so the hot path does no label lookup.</summary>
    internal Histogram.Child DurationFor(string endpoint) => _duration.WithLabels(endpoint);

    /// <summary>Pre-resolved per endpoint, like <see cref="DurationFor"/>.</summary>
    internal Histogram.Child DecisionFor(string endpoint) => _decision.WithLabels(endpoint);

    /// <summary>The request counters of one endpoint, each resolved on first use: a label lookup per request was measurable.</summary>
    internal RequestCounters RequestsFor(string endpoint) => new(_requests, endpoint);

    internal void RecordDecision(RequestCounters requests, string operation, AdmissionVerdict verdict)
    {
        var outcome = OutcomeIndex(verdict.Outcome);
        requests.Inc(operation, outcome);
        var label = OutcomeLabels[outcome];
        var policies = verdict.Policies;
        for (var i = 0; i < policies.Count; i++)
        {
            if (!string.IsNullOrEmpty(policies[i])) _policyDecisions.WithLabels(policies[i], label).Inc();
        }
    }

    internal void RecordBadRequest(string reason) => _badRequests.WithLabels(reason).Inc();

    internal void RecordClientRefusal(string reason) => _clientRefusals.WithLabels(reason).Inc();

    /// <summary>
    /// The index of <paramref name="outcome"/>'s label in <see cref="OutcomeLabels"/>. Outcomes come from handlers;
    /// anything outside the documented set is folded into "other".
    /// </summary>
    private static int OutcomeIndex(string? outcome)
    {
        for (var i = 0; i < KnownOutcomes.Length; i++)
        {
            if (string.Equals(KnownOutcomes[i], outcome, StringComparison.Ordinal)) return i;
        }

        return KnownOutcomes.Length;
    }

    /// <summary>
    /// <c>jitadmission_admission_requests_total</c> for one endpoint. A series appears when first counted, as with
    /// <c>WithLabels</c>; the four admission operations keep theirs, any other operation is looked up each time.
    /// </summary>
    internal sealed class RequestCounters(Counter counter, string endpoint)
    {
        private static readonly IReadOnlyList<string> Operations = JitAdmission.Core.Matching.Operations.Concrete;
        private readonly Counter.Child?[] _children = new Counter.Child?[Operations.Count * OutcomeLabels.Length];

        public void Inc(string operation, int outcome)
        {
            var op = IndexOf(operation);
            if (op < 0)
            {
                counter.WithLabels(endpoint, operation, OutcomeLabels[outcome]).Inc();
                return;
            }

            ref var child = ref _children[op * OutcomeLabels.Length + outcome];
            (child ??= counter.WithLabels(endpoint, operation, OutcomeLabels[outcome])).Inc();
        }

        private static int IndexOf(string operation)
        {
            for (var i = 0; i < Operations.Count; i++)
            {
                if (string.Equals(Operations[i], operation, StringComparison.Ordinal)) return i;
            }

            return -1;
        }
    }
}
