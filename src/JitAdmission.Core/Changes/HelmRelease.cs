using System.IO.Compression;
using System.Text.Json.Nodes;
using JitAdmission.Core.Text;

namespace JitAdmission.Core.Changes;

/// <summary>
/// A Helm release record as Helm 3 and 4 write it before they touch any object of a new revision: a Secret
/// <c>sh.helm.release.v1.NAME.vREVISION</c> of type <c>helm.sh/release.v1</c>, labelled <c>owner: helm</c> and
/// <c>status: pending-install|pending-upgrade|pending-rollback</c>, whose <c>data.release</c> is base64 of gzip of the
/// release JSON (base64 once more as Secret data). Its <c>manifest</c> is every object of the revision, rendered.
/// Only the manifest is read, and only to know which objects the revision will write: nothing in the record is shown
/// to approvers or trusted beyond that (a requester writes it).
/// </summary>
public sealed record HelmRelease(string Name, string Namespace, int Revision, string Status, IReadOnlyList<JsonObject> Objects)
{
    public const string SecretType = "helm.sh/release.v1";
    public const string NamePrefix = "sh.helm.release.v1.";

    /// <summary>Decompressed release JSON larger than this is refused (a release is at most what fits a 1 MiB Secret).</summary>
    public const int MaxReleaseBytes = 8 * 1024 * 1024;

    private static readonly HashSet<string> PendingStatuses = new(StringComparer.Ordinal) { "pending-install", "pending-upgrade", "pending-rollback" };

    /// <summary>Whether the request could be a release record (cheap: no parsing); the gate reads it only then.</summary>
    public static bool MayBe(AdmissionAttributes request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.Operation == Operations.Create && request.Resource.Group.Length == 0 && request.Resource.Resource == "secrets"
            && request.SubResource.Length == 0 && request.Name.StartsWith(NamePrefix, StringComparison.Ordinal);
    }

    /// <summary>
    /// The release a record opens (a pending revision), null when the request is not one; a record that claims to be one
    /// but cannot be read gives <paramref name="error"/> (the gate fails closed on it rather than let its objects pass unseen).
    /// </summary>
    public static HelmRelease? TryRead(AdmissionAttributes request, out string? error)
    {
        error = null;
        if (!MayBe(request) || request.Object.Element is not { ValueKind: JsonValueKind.Object } secret) return null;
        if (Text(secret, "type") != SecretType || Label(secret, "owner") != "helm") return null;
        var status = Label(secret, "status") ?? "";
        if (!PendingStatuses.Contains(status)) return null;
        try
        {
            var payload = secret.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Object
                && data.TryGetProperty("release", out var encoded) && encoded.ValueKind == JsonValueKind.String
                    ? encoded.GetBytesFromBase64()
                    : throw new InvalidDataException("it has no data.release");
            using var release = JsonDocument.Parse(Decompress(Convert.FromBase64String(Encoding.ASCII.GetString(payload))));
            var root = release.RootElement;
            var manifest = Text(root, "manifest") ?? "";
            var objects = YamlToJson.ParseDocuments(manifest, yaml11: true).OfType<JsonObject>().ToList();
            return new HelmRelease(
                Text(root, "name") ?? Label(secret, "name") ?? "",
                Text(root, "namespace") ?? request.Namespace,
                root.TryGetProperty("version", out var v) && v.ValueKind == JsonValueKind.Number ? v.GetInt32() : 0,
                status,
                objects);
        }
        catch (Exception e) when (e is FormatException or InvalidDataException or JsonException or YamlDotNet.Core.YamlException or InvalidOperationException)
        {
            error = $"the Helm release record {request.Name} cannot be read ({e.Message}), so the objects of its revision cannot be checked";
            return null;
        }
    }

    private static byte[] Decompress(byte[] gzip)
    {
        using var input = new GZipStream(new MemoryStream(gzip), CompressionMode.Decompress);
        using var output = new MemoryStream();
        var buffer = new byte[81920];
        int read;
        while ((read = input.Read(buffer)) > 0)
        {
            if (output.Length + read > MaxReleaseBytes) throw new InvalidDataException($"it decompresses to more than {MaxReleaseBytes / (1024 * 1024)} MiB");
            output.Write(buffer, 0, read);
        }

        return output.ToArray();
    }

    private static string? Text(JsonElement obj, string property) =>
        obj.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static string? Label(JsonElement secret, string key) =>
        secret.TryGetProperty("metadata", out var metadata) && metadata.ValueKind == JsonValueKind.Object
        && metadata.TryGetProperty("labels", out var labels) && labels.ValueKind == JsonValueKind.Object
            ? Text(labels, key)
            : null;
}
