using BenchmarkDotNet.Attributes;
using JitAdmission.Benchmarks.Payloads;
using JitAdmission.Core.Admission;
using JitAdmission.Core.Matching;

namespace JitAdmission.Benchmarks.Micro;

/// <summary>
/// The fast path with 1 and 1,000 policies (each gates Deployments in its own team namespace): the index lookup
/// (<see cref="PolicySet.Candidates(AdmissionAttributes)"/>) for a resource every policy names and for one none names,
/// the candidates narrowed by namespace, the evaluation of every resource candidate for a Deployment in a namespace no
/// policy lists (what the decision cost before the narrowing), and the whole no-match decision.
/// </summary>
public class PolicyLookupBenchmarks
{
    private PolicySet _set = PolicySet.Empty;
    private AdmissionAttributes _deployment = null!;
    private AdmissionAttributes _configMap = null!;
    private AdmissionEngineInput _input = null!;

    [Params(1, 1000)]
    public int Policies { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _set = Fixtures.Policies(Policies);
        _deployment = Fixtures.Read(Fixtures.Body(ReviewSpec.Deployment, "unmatched", 1024));
        _configMap = Fixtures.Read(Fixtures.Body(ReviewSpec.ConfigMap, "unmatched", 1024));
        _input = new AdmissionEngineInput(_deployment, _set, Fixtures.ClusterContext, new Fixtures.Lookup([]), false, Fixtures.Settings, Fixtures.Now);
        if (_set.Candidates(_deployment).Count != Policies) throw new InvalidOperationException("every policy should be a candidate");
        if (AdmissionEngine.Plan(_input) is not DecidedPlan { Verdict.Allowed: true }) throw new InvalidOperationException("the request should be allowed");
    }

    [Benchmark]
    public int Candidates_IndexedResource() => _set.Candidates(_deployment).Count;

    [Benchmark]
    public int Candidates_ResourceNotInIndex() => _set.Candidates(_configMap).Count;

    [Benchmark]
    public int Evaluate_NoMatch_AllCandidates() => PolicyEvaluator.Evaluate(_set, _deployment, Fixtures.ClusterContext, Fixtures.Now).Count;

    [Benchmark]
    public int ApplicableCandidates_IndexedResource() => _set.ApplicableCandidates(_deployment).Count;

    [Benchmark]
    public AdmissionPlan Plan_NoMatch() => AdmissionEngine.Plan(_input);
}
