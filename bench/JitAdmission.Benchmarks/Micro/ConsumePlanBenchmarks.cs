using BenchmarkDotNet.Attributes;
using JitAdmission.Benchmarks.Payloads;
using JitAdmission.Core.Admission;
using JitAdmission.Core.Matching;

namespace JitAdmission.Benchmarks.Micro;

/// <summary>
/// The decision of the consume path without its API write: candidates, namespace, CEL condition, fingerprint, the
/// approved Grant found by requester and evaluated, for a request arriving fresh (objects not yet parsed).
/// </summary>
public class ConsumePlanBenchmarks
{
    private PolicySet _set = PolicySet.Empty;
    private AdmissionAttributes _request = null!;
    private Fixtures.Lookup _lookup = null!;

    [Params(1024, 100 * 1024)]
    public int ObjectBytes { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _set = Fixtures.Policies(1000);
        _request = Fixtures.Read(Fixtures.Body(ReviewSpec.Deployment, "team-0000", ObjectBytes));
        _lookup = new Fixtures.Lookup([Fixtures.ApprovedGrant()]);
        var plan = Plan();
        if (plan is not ConsumePlan) throw new InvalidOperationException($"expected a consume plan, got {plan.GetType().Name}: {(plan as DecidedPlan)?.Verdict.Message}");
    }

    [Benchmark]
    public AdmissionPlan Plan() =>
        AdmissionEngine.Plan(new AdmissionEngineInput(Fixtures.Fresh(_request), _set, Fixtures.ClusterContext, _lookup, false, Fixtures.Settings, Fixtures.Now));
}
