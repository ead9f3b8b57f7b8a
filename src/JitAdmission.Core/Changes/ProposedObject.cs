using System.Buffers;
using JitAdmission.Core.Fingerprinting;

namespace JitAdmission.Core.Changes;

/// <summary>
/// What an approval of a change lets through, as approvers are shown it (<c>spec.object</c> of its ApprovalRequest):
/// the new object of a CREATE or UPDATE as the fingerprint sees it (without the fields the API server manages), or
/// the options of a CONNECT; nothing for a DELETE, where the live object is what goes. Secret values are replaced by
/// <see cref="HiddenValue"/>. Never anything from the old object: the API server's request carries it, but so could a
/// forged call, and what counts is what the approval admits; <c>kubectl jit describe</c> compares with the live object,
/// read with the approver's own credentials.
/// </summary>
public static class ProposedObject
{
    /// <summary>Larger objects are not kept (the request would grow past what etcd takes, and every replica caches requests).</summary>
    public const int MaxBytes = 64 * 1024;

    public const string HiddenValue = "(value hidden)";

    /// <summary>The object to show, or null (DELETE, no object, or larger than <see cref="MaxBytes"/>). Throws <see cref="JsonException"/> on malformed JSON.</summary>
    public static JsonElement? Of(AdmissionAttributes request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Operation == Operations.Delete) return null;
        var source = request.Operation == Operations.Connect ? request.Object.Element ?? request.Options.Element : request.Object.Element;
        if (source is not { ValueKind: JsonValueKind.Object } root) return null;
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            Copy(writer, root, VolatileFields.Zone.Root, VolatileFields.KeepsStatus(request.SubResource), IsSecret(request));
        }

        if (buffer.WrittenCount > MaxBytes) return null;
        using var document = JsonDocument.Parse(buffer.WrittenMemory);
        return document.RootElement.Clone();
    }

    internal static bool IsSecret(AdmissionAttributes request) =>
        request.Kind?.Kind == "Secret" || (request.Resource.Group.Length == 0 && request.Resource.Resource == "secrets" && request.SubResource.Length == 0);

    private static void Copy(Utf8JsonWriter writer, JsonElement value, VolatileFields.Zone zone, bool keepStatus, bool isSecret)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            value.WriteTo(writer);
            return;
        }

        writer.WriteStartObject();
        foreach (var property in value.EnumerateObject())
        {
            if (VolatileFields.IsVolatile(zone, property.Name, keepStatus)) continue;
            writer.WritePropertyName(property.Name);
            if (zone == VolatileFields.Zone.Root && isSecret && property.Name is "data" or "stringData") WriteHidden(writer, property.Value);
            else Copy(writer, property.Value, VolatileFields.Child(zone, property.Name), keepStatus, isSecret);
        }

        writer.WriteEndObject();
    }

    /// <summary>The keys stay (which keys change is worth reading), the values go.</summary>
    private static void WriteHidden(Utf8JsonWriter writer, JsonElement payload)
    {
        if (payload.ValueKind != JsonValueKind.Object)
        {
            writer.WriteStringValue(HiddenValue);
            return;
        }

        writer.WriteStartObject();
        foreach (var property in payload.EnumerateObject()) writer.WriteString(property.Name, HiddenValue);
        writer.WriteEndObject();
    }
}
