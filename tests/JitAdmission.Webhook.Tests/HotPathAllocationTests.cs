using JitAdmission.Webhook.Review;
using JitAdmission.Webhook.Tests.Infrastructure;

namespace JitAdmission.Webhook.Tests;

/// <summary>The no-match path runs on every gated API call: its allocations are bounded and independent of object size.</summary>
public sealed class HotPathAllocationTests
{
    private static long AllocatedByRead(byte[] body)
    {
        Assert.True(AdmissionReviewReader.TryRead(body, out _, out _)); // warm-up: JIT and static caches
        var before = GC.GetAllocatedBytesForCurrentThread();
        Assert.True(AdmissionReviewReader.TryRead(body, out var request, out _));
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        GC.KeepAlive(request);
        return allocated;
    }

    [Fact]
    public void Reading_a_review_allocates_only_the_attributes_not_the_objects()
    {
        var small = AdmissionReviewBuilder.Update().BuildUtf8();
        var bigObject = AdmissionReviewBuilder.Deployment("web", 3).Replace("\"spec\":", "\"data\":\"" + new string('x', 500_000) + "\",\"spec\":", StringComparison.Ordinal);
        var big = AdmissionReviewBuilder.Update().WithObject(bigObject).WithOldObject(bigObject).BuildUtf8();

        var smallBytes = AllocatedByRead(small);
        var bigBytes = AllocatedByRead(big);

        // Strings, the user info and three RawObject wrappers: about 2 KiB, whatever the objects weigh (1 MB here).
        Assert.InRange(smallBytes, 1, 4096);
        Assert.InRange(bigBytes, 1, 4096);
    }
}
