using System.Text.Json.Nodes;
using JitAdmission.Controller.Crds;
using JitAdmission.Core.Text;

namespace JitAdmission.Controller.Tests.Crds;

/// <summary>The CRDs the program carries to bring installed ones up to date (Helm never upgrades crds/).</summary>
public sealed class ShippedCrdsTests
{
    private static string RepoFile(string name)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "JitAdmission.sln"))) dir = dir.Parent;
        return File.ReadAllText(Path.Combine(dir!.FullName, "crds", name));
    }

    [Fact]
    public void Both_crds_of_the_repository_are_embedded_byte_for_byte()
    {
        Assert.Equal(["approvalpolicies.jitadmission.io", "approvalrequests.jitadmission.io"], ShippedCrds.All.Select(c => c.Name));
        Assert.All(ShippedCrds.All, c => Assert.Equal(RepoFile(c.Name + ".yaml").ReplaceLineEndings("\n"), c.Yaml));
    }

    [Fact]
    public void What_is_applied_is_the_file_as_json_with_its_digest_annotation()
    {
        var crd = ShippedCrds.All.Single(c => c.Name == "approvalrequests.jitadmission.io");

        var applied = JsonNode.Parse(crd.ApplyJson())!.AsObject();
        var annotations = applied["metadata"]!["annotations"]!.AsObject();

        Assert.Equal(crd.Digest, (string?)annotations[ShippedCrd.DigestAnnotation]);
        annotations.Remove(ShippedCrd.DigestAnnotation);
        if (annotations.Count == 0) applied["metadata"]!.AsObject().Remove("annotations");
        Assert.True(JsonNode.DeepEquals(YamlToJson.ParseSingleObject(crd.Yaml), applied));
    }

    [Fact]
    public void The_digest_changes_with_the_file()
    {
        Assert.Equal(16, ShippedCrds.All[0].Digest.Length);
        Assert.NotEqual(ShippedCrds.All[0].Digest, ShippedCrds.All[1].Digest);
    }
}
