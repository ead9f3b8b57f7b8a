using JitAdmission.Cli.CommandLine;
using JitAdmission.Cli.Model;

namespace JitAdmission.Cli.Tests;

/// <summary>kubectl jit apply reads manifests as kubectl does: every document, List items, JSON, and the same refusals.</summary>
public class ManifestReaderTests
{
    [Fact]
    public void Every_document_and_every_list_item_is_an_object_and_empty_documents_are_skipped()
    {
        var objects = ManifestReader.Parse("""
            ---
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web, namespace: prod}
            ---
            # nothing here
            ---
            apiVersion: v1
            kind: List
            items:
            - {apiVersion: v1, kind: ConfigMap, metadata: {name: a}}
            - {apiVersion: v1, kind: Secret, metadata: {name: b}}
            """, "all.yaml");

        Assert.Equal(["Deployment/web/prod/apps/v1", "ConfigMap/a//v1", "Secret/b//v1"],
            objects.Select(o => $"{o.Kind}/{o.Name}/{o.Namespace}/{o.Group}{(o.Group.Length > 0 ? "/" : "")}{o.Version}"));
        Assert.All(objects, o => Assert.Equal("all.yaml", o.Source));
        Assert.Contains("name: a", objects[1].Document, StringComparison.Ordinal);
        Assert.DoesNotContain("name: b", objects[1].Document, StringComparison.Ordinal);
    }

    [Fact]
    public void Yaml_values_reach_the_server_as_written_so_it_reads_them_as_kubectl_would()
    {
        var o = Assert.Single(ManifestReader.Parse("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {enabled: \"true\", port: '8080'}\n", "a.yaml"));

        Assert.Contains("enabled: \"true\"", o.Document, StringComparison.Ordinal);
        Assert.Contains("port: '8080'", o.Document, StringComparison.Ordinal);
    }

    [Fact]
    public void Json_objects_and_json_lists_are_read_too()
    {
        var objects = ManifestReader.Parse("""
            {"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a","namespace":"dev"}}
            {"apiVersion":"v1","kind":"List","items":[{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"b"}}]}
            """, "a.json");

        Assert.Equal(["a", "b"], objects.Select(o => o.Name));
        Assert.Equal("dev", objects[0].Namespace);
        Assert.StartsWith("{\"apiVersion\":\"v1\"", objects[1].Document, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("kind: ConfigMap\nmetadata: {name: a}\n", "apiVersion not set")]
    [InlineData("apiVersion: v1\nkind: ConfigMap\nmetadata: {generateName: a-}\n", "cannot use generate name with apply")]
    [InlineData("apiVersion: v1\nkind: ConfigMap\nmetadata: {}\n", "resource name may not be empty")]
    [InlineData("apiVersion: v1\nkind: [\n", "error parsing bad.yaml")]
    public void What_kubectl_refuses_is_refused_before_anything_is_applied(string text, string message)
    {
        var error = Assert.Throws<CliException>(() => ManifestReader.Parse(text, "bad.yaml"));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_directory_gives_its_manifests_by_name_and_urls_are_refused()
    {
        var dir = Directory.CreateTempSubdirectory("jit-manifests-").FullName;
        try
        {
            foreach (var name in (string[])["b.yaml", "a.json", "c.yml", "notes.txt"]) File.WriteAllText(Path.Combine(dir, name), "");
            Directory.CreateDirectory(Path.Combine(dir, "sub"));
            File.WriteAllText(Path.Combine(dir, "sub", "d.yaml"), "");

            Assert.Equal(["a.json", "b.yaml", "c.yml"], ManifestReader.Files(dir, recursive: false).Select(Path.GetFileName));
            Assert.Equal(4, ManifestReader.Files(dir, recursive: true).Count);
            Assert.Equal(ExitCodes.Usage, Assert.Throws<CliException>(() => ManifestReader.Files("https://example.com/x.yaml", false)).ExitCode);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
