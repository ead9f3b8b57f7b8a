using System.Text.RegularExpressions;

namespace JitAdmission.Integration.Tests.Crds;

/// <summary>deploy/examples/README.md explains every example, and only examples that exist.</summary>
public sealed partial class ExamplesReadmeTests
{
    [Fact]
    public void Readme_links_exactly_the_example_files()
    {
        var readme = File.ReadAllText(Path.Combine(CrdFiles.ExamplesDirectory, "README.md"));
        var linked = YamlLinks().Matches(readme).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);
        var files = CrdFiles.ExampleFiles.Select(f => Path.GetFileName(f)).ToHashSet(StringComparer.Ordinal);

        Assert.NotEmpty(files);
        Assert.Equal(files.Order(StringComparer.Ordinal), linked.Order(StringComparer.Ordinal));
    }

    [GeneratedRegex(@"\]\(([A-Za-z0-9._-]+\.yaml)\)")]
    private static partial Regex YamlLinks();
}
