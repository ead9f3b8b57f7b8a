using BenchmarkDotNet.Attributes;
using JitAdmission.Benchmarks.Payloads;
using JitAdmission.Core.Admission;
using JitAdmission.Core.Fingerprinting;

namespace JitAdmission.Benchmarks.Micro;

/// <summary>Fingerprinting an UPDATE (canonical JSON of the object without volatile fields, sha256), parse included or not.</summary>
public class FingerprintBenchmarks
{
    private AdmissionAttributes _request = null!;
    private AdmissionAttributes _parsed = null!;

    [Params(1024, 100 * 1024)]
    public int ObjectBytes { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _request = Fixtures.Read(Fixtures.Body(ReviewSpec.Deployment, "team-0000", ObjectBytes));
        _parsed = Fixtures.Fresh(_request);
        if (Fingerprint.Compute(_parsed) != Fingerprint.Compute(Fixtures.Fresh(_request))) throw new InvalidOperationException("not deterministic");
    }

    [Benchmark]
    public string Compute_IncludingParse() => Fingerprint.Compute(Fixtures.Fresh(_request));

    [Benchmark]
    public string Compute_ObjectAlreadyParsed() => Fingerprint.Compute(_parsed);
}
