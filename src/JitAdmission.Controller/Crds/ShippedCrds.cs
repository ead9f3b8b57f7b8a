using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using JitAdmission.Core.Text;

namespace JitAdmission.Controller.Crds;

/// <summary>One CRD as this version ships it (crds/ at the repository root, embedded in the program).</summary>
public sealed record ShippedCrd(string Name, string Yaml, string Digest)
{
    /// <summary>Annotation on an installed CRD: the digest of the shipped file it was last brought up to.</summary>
    public const string DigestAnnotation = "jitadmission.io/crd-digest";

    /// <summary>
    /// The manifest to apply, as JSON (the client sends patches as JSON): the shipped file with the digest annotation
    /// added, so the next start can tell the installed CRD is this version's.
    /// </summary>
    public string ApplyJson()
    {
        var crd = YamlToJson.ParseSingleObject(Yaml);
        var metadata = crd["metadata"]!.AsObject();
        if (metadata["annotations"] is not JsonObject annotations) metadata["annotations"] = annotations = [];
        annotations[DigestAnnotation] = Digest;
        return crd.ToJsonString();
    }
}

/// <summary>The CRDs embedded in the program.</summary>
public static class ShippedCrds
{
    public static IReadOnlyList<ShippedCrd> All { get; } = Load();

    private static List<ShippedCrd> Load()
    {
        var assembly = typeof(ShippedCrds).Assembly;
        var crds = new List<ShippedCrd>();
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith("crds/", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream, Encoding.UTF8);
            var yaml = reader.ReadToEnd().ReplaceLineEndings("\n");
            var name = Path.GetFileNameWithoutExtension(resource["crds/".Length..]);
            crds.Add(new ShippedCrd(name, yaml, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(yaml)))[..16]));
        }

        return crds;
    }
}
