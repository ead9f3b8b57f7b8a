using BenchmarkDotNet.Attributes;
using JitAdmission.Benchmarks.Payloads;
using JitAdmission.Core.Admission;
using JitAdmission.Core.Api;
using JitAdmission.Core.Cel;

namespace JitAdmission.Benchmarks.Micro;

/// <summary>
/// CEL condition evaluation: a condition over the request only, and the benchmark policies' condition comparing the
/// pod templates of the new and old object, per request (converting the objects to CEL values included) and with the
/// CEL values already built (evaluation alone).
/// </summary>
public class CelBenchmarks
{
    private static readonly HashSet<string> NoContext = [];
    private CompiledCondition _user = null!;
    private CompiledCondition _template = null!;
    private AdmissionAttributes _request = null!;
    private IDictionary<string, object?> _warm = null!;

    [Params(1024, 100 * 1024)]
    public int ObjectBytes { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _user = CompiledCondition.Compile(new PolicyCondition { Name = "not-ci", Expression = "!('ci-robots' in request.userInfo.groups) && request.userInfo.username != 'deploy-bot'" }, NoContext);
        _template = CompiledCondition.Compile(new PolicyCondition { Name = "template-changed", Expression = "object == null || oldObject == null || object.spec.template != oldObject.spec.template" }, NoContext);
        _request = Fixtures.Read(Fixtures.Body(ReviewSpec.Deployment, "team-0000", ObjectBytes));
        _warm = new CelRequestVariables(Fixtures.Fresh(_request), Fixtures.ClusterContext, Fixtures.Now).ForPolicy([]);
        if (Template() != ConditionOutcome.True || UserOnly() != ConditionOutcome.True || TemplateWarm() != ConditionOutcome.True)
            throw new InvalidOperationException("the conditions should hold");
    }

    /// <summary>Independent of the object size: measured once, with the 1 KB request.</summary>
    [Benchmark]
    public ConditionOutcome UserOnly() =>
        _user.Evaluate(new CelRequestVariables(_request, Fixtures.ClusterContext, Fixtures.Now).ForPolicy([])).Outcome;

    [Benchmark]
    public ConditionOutcome Template() =>
        _template.Evaluate(new CelRequestVariables(Fixtures.Fresh(_request), Fixtures.ClusterContext, Fixtures.Now).ForPolicy([])).Outcome;

    [Benchmark]
    public ConditionOutcome TemplateWarm() => _template.Evaluate(_warm).Outcome;
}
