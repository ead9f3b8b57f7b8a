using System.Text.RegularExpressions;

namespace JitAdmission.Integration.Tests.Chart;

/// <summary>
/// The Dockerfile cannot be built here (no container engine), so its rules are checked as text; its publish step must
/// be the command line of `make publish`, which runs without an engine.
/// </summary>
public sealed partial class ImageBuildFilesTests
{
    private static readonly string[] Dockerfile = File.ReadAllLines(Path.Combine(ChartTools.RepoRoot, "Dockerfile"));

    private static List<string> Instructions => Dockerfile
        .Select(l => l.Trim())
        .Where(l => l.Length > 0 && !l.StartsWith('#'))
        .ToList();

    /// <summary>Instructions of the last stage (from its FROM on).</summary>
    private static List<string> FinalStage => Instructions.Skip(Instructions.FindLastIndex(l => l.StartsWith("FROM ", StringComparison.Ordinal))).ToList();

    [Fact]
    public void It_builds_with_the_SDK_and_ships_the_native_executable_on_a_chiseled_extra_base()
    {
        var froms = Instructions.Where(l => l.StartsWith("FROM ", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, froms.Count);
        Assert.Contains(" AS build", froms[0]);
        Assert.Contains("${SDK_IMAGE}", froms[0]);
        Assert.Contains("${RUNTIME_IMAGE}", froms[1]);

        var args = Instructions.Where(l => l.StartsWith("ARG ", StringComparison.Ordinal) && l.Contains('=', StringComparison.Ordinal))
            .Select(l => l[4..].Split('=', 2)).GroupBy(a => a[0]).ToDictionary(g => g.Key, g => g.First()[1]);
        Assert.Matches(@"^mcr\.microsoft\.com/dotnet/sdk:10\.0", args["SDK_IMAGE"]);
        // Native AOT: the runtime-deps base (no .NET runtime), chiseled, with tzdata for policy schedules.
        Assert.Matches(@"^mcr\.microsoft\.com/dotnet/runtime-deps:10\.0-[a-z]+-chiseled-extra$", args["RUNTIME_IMAGE"]);
    }

    [Fact]
    public void The_final_stage_copies_only_the_published_app_and_runs_it_as_a_numeric_non_root_user()
    {
        var final = FinalStage;
        Assert.DoesNotContain(final, l => l.StartsWith("RUN ", StringComparison.Ordinal));
        Assert.DoesNotContain(final, l => l.StartsWith("HEALTHCHECK", StringComparison.Ordinal));
        Assert.All(final.Where(l => l.StartsWith("COPY ", StringComparison.Ordinal)), l => Assert.Contains("--from=build", l));
        Assert.DoesNotContain(final, l => l.Contains("sdk", StringComparison.OrdinalIgnoreCase) && !l.StartsWith("LABEL", StringComparison.Ordinal) && !l.Contains("org.opencontainers", StringComparison.Ordinal));

        var user = final.Single(l => l.StartsWith("USER ", StringComparison.Ordinal))["USER ".Length..].Split(':');
        Assert.All(user, id => Assert.True(int.TryParse(id, out var n) && n > 0, $"USER {string.Join(':', user)} must be numeric and not root"));
        var chartUser = File.ReadAllText(Path.Combine(ChartTools.ChartDirectory, "values.yaml"));
        Assert.Contains($"runAsUser: {user[0]}", chartUser);

        Assert.Equal("ENTRYPOINT [\"/app/jit-admission\"]", final.Single(l => l.StartsWith("ENTRYPOINT", StringComparison.Ordinal)));
        Assert.Contains(final, l => l.StartsWith("EXPOSE 8443", StringComparison.Ordinal));
    }

    [Fact]
    public void The_image_carries_OCI_labels()
    {
        var text = string.Join('\n', Dockerfile);
        foreach (var label in new[] { "title", "description", "version", "revision", "created", "source" })
            Assert.Contains($"org.opencontainers.image.{label}=", text);
    }

    [Fact]
    public void Make_publish_runs_the_Dockerfiles_publish_step()
    {
        var dockerfile = PublishArguments(Instructions.Single(l => l.StartsWith("RUN dotnet publish", StringComparison.Ordinal))["RUN ".Length..]);
        var makefile = File.ReadAllLines(Path.Combine(ChartTools.RepoRoot, "Makefile"));
        var publishTarget = Array.FindIndex(makefile, l => l.StartsWith("publish:", StringComparison.Ordinal));
        Assert.True(publishTarget >= 0, "the Makefile has no publish target");
        var make = PublishArguments(makefile[publishTarget + 1].Trim().Replace("$(DOTNET)", "dotnet", StringComparison.Ordinal));

        // The Dockerfile restores in an earlier layer and has clang; both write to their own output directory.
        Assert.Equal(dockerfile.Where(a => a != "--no-restore"), make.Where(a => !a.StartsWith("-p:CppCompilerAndLinker=", StringComparison.Ordinal)));
        Assert.Contains("--configuration Release", string.Join(' ', make));
        Assert.Contains("--use-current-runtime", make);
        Assert.Contains("src/JitAdmission/JitAdmission.csproj", make);
    }

    [Fact]
    public void The_docker_context_leaves_out_build_output_tests_and_the_repository_metadata()
    {
        var ignored = File.ReadAllLines(Path.Combine(ChartTools.RepoRoot, ".dockerignore")).Select(l => l.Trim()).ToHashSet(StringComparer.Ordinal);
        foreach (var pattern in new[] { "**/bin/", "**/obj/", ".git", "tests/", "artifacts/" })
            Assert.Contains(pattern, ignored);
        // What the build stage copies must not be ignored.
        foreach (var copied in Instructions.Where(l => l.StartsWith("COPY ", StringComparison.Ordinal) && !l.Contains("--from", StringComparison.Ordinal))
                     .SelectMany(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1..^1]))
            Assert.DoesNotContain(ignored, p => copied.StartsWith(p.TrimEnd('/'), StringComparison.Ordinal) && !p.StartsWith("**", StringComparison.Ordinal));
    }

    /// <summary>The arguments of a `dotnet publish` command line without the output directory.</summary>
    private static List<string> PublishArguments(string command)
    {
        var words = Whitespace().Split(command.Trim()).ToList();
        Assert.Equal(["dotnet", "publish"], words.Take(2));
        var output = words.IndexOf("--output");
        Assert.True(output > 0, $"no --output in {command}");
        words.RemoveRange(output, 2);
        return words;
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
