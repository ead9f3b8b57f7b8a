using System.Text.Json;
using JitAdmission.Core.Api;
using JitAdmission.Core.Guard;
using static JitAdmission.Core.Tests.TestSupport.ApprovalFixtures;

namespace JitAdmission.Core.Tests.Guard;

public class ReviewStampTests
{
    private static ApprovalRequest WithReviews(params Review[] reviews) => Request(["prod"], reviews: reviews);

    private static List<(string Op, string Path, string Value)> Ops(byte[] patch)
    {
        using var doc = JsonDocument.Parse(patch);
        return [.. doc.RootElement.EnumerateArray().Select(op => (
            op.GetProperty("op").GetString()!, op.GetProperty("path").GetString()!, op.GetProperty("value").GetRawText()))];
    }

    [Fact]
    public void Stamps_only_the_appended_reviews_with_groups_and_time()
    {
        var old = WithReviews(Approve("carol", At(1), "security"));
        var updated = WithReviews(Approve("carol", At(1), "security"), new Review { Reviewer = "bob" });

        var patch = ReviewStamp.Patch(old, updated, User("bob", "sre", "system:authenticated"), At(2, 30).AddMilliseconds(250));

        Assert.Equal(
            [("add", "/spec/reviews/1/groups", """["sre","system:authenticated"]"""), ("add", "/spec/reviews/1/time", "\"2025-03-01T12:02:30Z\"")],
            Ops(patch!));
    }

    [Fact]
    public void Replaces_groups_the_client_forged()
    {
        var updated = WithReviews(Approve("bob", At(0), "admins", "security"));
        var patch = ReviewStamp.Patch(WithReviews(), updated, User("bob", "sre"), At(2));
        Assert.Contains(("add", "/spec/reviews/0/groups", """["sre"]"""), Ops(patch!));
    }

    [Fact]
    public void Stamps_every_review_on_create_and_several_appended_at_once()
    {
        var patch = ReviewStamp.Patch(null, WithReviews(new Review { Reviewer = "a" }, new Review { Reviewer = "b" }), User("a"), At(2));
        Assert.Equal(["/spec/reviews/0/groups", "/spec/reviews/0/time", "/spec/reviews/1/groups", "/spec/reviews/1/time"], Ops(patch!).Select(o => o.Path));
    }

    public static TheoryData<string, ApprovalRequest, ApprovalRequest> NothingToStamp => new()
    {
        { "no reviews", WithReviews(), WithReviews() },
        { "metadata-only update", WithReviews(Approve("carol", At(1))), WithReviews(Approve("carol", At(1))) },
        { "reviews removed (rejected by the validating guard)", WithReviews(Approve("carol", At(1))), WithReviews() },
    };

    [Theory]
    [MemberData(nameof(NothingToStamp))]
    public void Returns_null_when_nothing_was_appended(string what, ApprovalRequest old, ApprovalRequest updated) =>
        Assert.True(ReviewStamp.Patch(old, updated, User("bob", "sre"), At(2)) is null, what);
}
