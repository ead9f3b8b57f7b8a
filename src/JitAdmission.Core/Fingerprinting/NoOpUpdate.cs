using System.Security.Cryptography;

namespace JitAdmission.Core.Fingerprinting;

/// <summary>
/// An UPDATE whose proposed object is the stored one again, but for the fields the API server keeps for itself
/// (managedFields, resourceVersion, generation, …: <see cref="VolatileFields"/>; status is compared too). It changes
/// nothing a policy can mean, so it needs no approval: e.g. the second update kubectl sends after a server-side apply
/// over a client-side-applied object, which only moves field ownership, and which would otherwise look like the same
/// change made again and open a new request once the approval was used.
/// </summary>
public static class NoOpUpdate
{
    public static bool Is(AdmissionAttributes request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Operation != Operations.Update) return false;
        if (request.Object.Element is not { ValueKind: JsonValueKind.Object } proposed
            || request.OldObject.Element is not { ValueKind: JsonValueKind.Object } stored) return false;
        return Hash(proposed).AsSpan().SequenceEqual(Hash(stored));
    }

    private static byte[] Hash(JsonElement element)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using (var sink = new HashingBufferWriter(hash, 4096))
        using (var writer = new Utf8JsonWriter(sink, CanonicalJson.WriterOptions))
        {
            CanonicalJson.Write(writer, element, VolatileFields.Zone.Root, keepStatus: true);
            writer.Flush();
        }

        return hash.GetHashAndReset();
    }
}
