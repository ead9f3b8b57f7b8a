using System.Security.Cryptography;
using System.Text;

namespace JitAdmission.Controller.Crds;

/// <summary>One CRD as this version ships it (crds/ at the repository root, embedded in the program).</summary>
public sealed record ShippedCrd(string Name, string Yaml, string Digest)
{
    /// <summary>Annotation on an installed CRD: the digest of the shipped file it was last brought up to.</summary>
    public const string DigestAnnotation = "jitadmission.io/crd-digest";

    /// <summary>
    /// The manifest to apply: the shipped file with the digest annotation added to its metadata (the files carry
    /// labels but no annotations, so the annotations block is inserted right after the name).
    /// </summary>
    public string ApplyYaml()
    {
        var anchor = $"metadata:\n  name: {Name}\n";
        var at = Yaml.IndexOf(anchor, StringComparison.Ordinal);
        if (at < 0) throw new InvalidOperationException($"the shipped CRD {Name} has no \"{anchor.TrimEnd()}\" block");
        var end = at + anchor.Length;
        return string.Concat(Yaml.AsSpan(0, end), $"  annotations:\n    {DigestAnnotation}: \"{Digest}\"\n", Yaml.AsSpan(end));
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
