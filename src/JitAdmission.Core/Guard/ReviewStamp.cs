using System.Buffers;

namespace JitAdmission.Core.Guard;

/// <summary>
/// The mutating guard: stamps each review appended by this write with the reviewer's groups (from admission
/// userInfo, replacing whatever the client sent) and the time, so a plain <c>kubectl patch</c> works and cannot forge them.
/// It also gives every request a <c>spec.reviews</c> list: the documented approve patch appends to
/// <c>/spec/reviews/-</c>, which fails on a request made ahead of time without one.
/// </summary>
public static class ReviewStamp
{
    /// <summary>
    /// The whole patch for a write to an ApprovalRequest (<paramref name="request"/> carries the raw object, <paramref name="old"/>
    /// and <paramref name="updated"/> are it typed): the reviews list if the object has none, then the stamps; null when
    /// there is nothing to patch.
    /// </summary>
    public static byte[]? Patch(AdmissionAttributes request, ApprovalRequest? old, ApprovalRequest updated, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(request);
        var patch = Patch(old, updated, request.UserInfo, now);
        return HasReviews(request.Object) ? patch : Prepend(AddReviewsList, patch);
    }

    /// <summary>RFC 6902 JSON Patch (UTF-8) for the reviews at index ≥ the old count; null when there is nothing to stamp.</summary>
    public static byte[]? Patch(ApprovalRequest? old, ApprovalRequest updated, UserInfo user, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(updated);
        ArgumentNullException.ThrowIfNull(user);
        var first = old?.Spec.Reviews.Count ?? 0;
        var count = updated.Spec.Reviews.Count;
        if (count <= first) return null;

        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            for (var i = first; i < count; i++)
            {
                // "add" on an existing member replaces it (RFC 6902 4.1), so one op covers sent and unsent fields alike.
                writer.WriteStartObject();
                writer.WriteString("op", "add");
                writer.WriteString("path", $"/spec/reviews/{i}/groups");
                writer.WriteStartArray("value");
                foreach (var group in user.Groups) writer.WriteStringValue(group);
                writer.WriteEndArray();
                writer.WriteEndObject();

                writer.WriteStartObject();
                writer.WriteString("op", "add");
                writer.WriteString("path", $"/spec/reviews/{i}/time");
                writer.WriteString("value", TimeText.Absolute(now));
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static readonly byte[] AddReviewsList = """{"op":"add","path":"/spec/reviews","value":[]}"""u8.ToArray();

    private static bool HasReviews(RawObject raw) =>
        raw.Element is { ValueKind: JsonValueKind.Object } root
        && root.TryGetProperty("spec", out var spec) && spec.ValueKind == JsonValueKind.Object
        && spec.TryGetProperty("reviews", out var reviews) && reviews.ValueKind == JsonValueKind.Array;

    /// <summary>One operation before the others of an RFC 6902 patch (a JSON array).</summary>
    private static byte[] Prepend(byte[] operation, byte[]? patch)
    {
        if (patch is null || patch.Length <= 2) return [(byte)'[', .. operation, (byte)']'];
        return [(byte)'[', .. operation, (byte)',', .. patch.AsSpan(1)];
    }
}
