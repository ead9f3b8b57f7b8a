using System.Text.Json.Nodes;

namespace JitAdmission.Cli.Model;

/// <summary>
/// The RFC 6902 JSON patch that appends one review. Appending with <c>add /spec/reviews/-</c> never rewrites existing
/// reviews (a read-modify-write would re-serialize their timestamps, and the CRD's append-only rule would refuse it).
/// A request stored without a reviews array gets the array created instead, guarded by a test of the resourceVersion so
/// that a concurrent first review is never overwritten.
/// </summary>
internal static class ReviewPatch
{
    public static JsonObject Review(string reviewer, ReviewDecision decision, string? comment)
    {
        var review = new JsonObject { ["reviewer"] = reviewer, ["decision"] = decision.ToString() };
        if (!string.IsNullOrWhiteSpace(comment)) review["comment"] = comment;
        return review;
    }

    public static string Append(JsonObject review, bool hasReviewsArray, string resourceVersion)
    {
        ArgumentNullException.ThrowIfNull(review);
        var patch = hasReviewsArray
            ? new JsonArray(new JsonObject { ["op"] = "add", ["path"] = "/spec/reviews/-", ["value"] = review })
            : new JsonArray(
                new JsonObject { ["op"] = "test", ["path"] = "/metadata/resourceVersion", ["value"] = resourceVersion },
                new JsonObject { ["op"] = "add", ["path"] = "/spec/reviews", ["value"] = new JsonArray(review) });
        return patch.ToJsonString();
    }
}
