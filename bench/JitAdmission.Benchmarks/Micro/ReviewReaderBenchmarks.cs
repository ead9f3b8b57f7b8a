using BenchmarkDotNet.Attributes;
using JitAdmission.Benchmarks.Payloads;
using JitAdmission.Core.Admission;
using JitAdmission.Webhook.Review;

namespace JitAdmission.Benchmarks.Micro;

/// <summary>Reading an AdmissionReview (UPDATE, new and old object of the given size each) without materialising the objects.</summary>
public class ReviewReaderBenchmarks
{
    private byte[] _body = [];

    [Params(1024, 100 * 1024)]
    public int ObjectBytes { get; set; }

    [GlobalSetup]
    public void Setup() => _body = Fixtures.Body(ReviewSpec.Deployment, "unmatched", ObjectBytes);

    [Benchmark]
    public AdmissionAttributes? TryRead() => AdmissionReviewReader.TryRead(_body, out var request, out _) ? request : null;
}
