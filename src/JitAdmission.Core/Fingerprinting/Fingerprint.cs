using System.Security.Cryptography;

namespace JitAdmission.Core.Fingerprinting;

/// <summary>
/// sha256 of the normalized change (docs/semantics.md "Fingerprint"): the same change by the same user to the same
/// object always gives the same value, so retries and replicas find the same ApprovalRequest.
/// </summary>
public static class Fingerprint
{
    /// <summary>64 lower-case hex characters. Throws <see cref="JsonException"/> when the object is malformed JSON.</summary>
    public static string Compute(AdmissionAttributes request)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using (var sink = new HashingBufferWriter(hash))
        using (var writer = new Utf8JsonWriter(sink, CanonicalJson.WriterOptions))
        {
            // Keys in ordinal order, as canonical JSON requires.
            writer.WriteStartObject();
            writer.WriteString("group", request.Resource.Group);
            writer.WriteString("name", request.Name);
            writer.WriteString("namespace", request.Namespace);
            writer.WritePropertyName("object");
            WriteObject(writer, request);
            writer.WriteString("operation", request.Operation);
            writer.WriteString("requester", request.UserInfo.Username);
            writer.WriteString("resource", request.Resource.Resource);
            writer.WriteString("subResource", request.SubResource);
            writer.WriteEndObject();
            writer.Flush();
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private static void WriteObject(Utf8JsonWriter writer, AdmissionAttributes request)
    {
        switch (request.Operation)
        {
            case Operations.Delete:
                // Deleting that very object: a re-created object with the same name needs a new approval.
                writer.WriteStartObject();
                writer.WritePropertyName("uid");
                if (Uid(request.OldObject) is { } uid) writer.WriteStringValue(uid);
                else writer.WriteNullValue();
                writer.WriteEndObject();
                break;
            case Operations.Connect:
                var options = request.Object.IsPresent ? request.Object : request.Options;
                if (options.Element is { } opts) CanonicalJson.Write(writer, opts);
                else writer.WriteNullValue();
                break;
            default:
                if (request.Object.Element is { } obj)
                    CanonicalJson.Write(writer, obj, VolatileFields.Zone.Root, VolatileFields.KeepsStatus(request.SubResource));
                else writer.WriteNullValue();
                break;
        }
    }

    private static string? Uid(RawObject obj) =>
        obj.Element is { ValueKind: JsonValueKind.Object } root
        && root.TryGetProperty("metadata", out var metadata) && metadata.ValueKind == JsonValueKind.Object
        && metadata.TryGetProperty("uid", out var uid) && uid.ValueKind == JsonValueKind.String
            ? uid.GetString()
            : null;
}
