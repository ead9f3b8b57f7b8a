using JitAdmission.Cli.Commands;
using JitAdmission.Cli.CommandLine;
using Microsoft.Extensions.Time.Testing;

namespace JitAdmission.Cli.Tests;

/// <summary>The command line itself, without a cluster: usage errors exit 2 with a one-line reason, help is for "kubectl jit".</summary>
public class CommandLineTests
{
    private static async Task<(int Code, string Out, string Err)> Run(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var context = new CliContext(output, error, new FakeTimeProvider(), _ => null);
        var code = await JitCli.RunAsync(args, context);
        return (code, output.ToString(), error.ToString());
    }

    [Theory]
    [InlineData("frobnicate")]
    [InlineData("list", "--bogus")]
    [InlineData("list", "-o", "toml")]
    [InlineData("approve")]
    [InlineData("test")]
    [InlineData("test", "dir", "-o", "yaml")]
    [InlineData("wait", "x", "--timeout", "soon")]
    [InlineData("request", "--reason", "x")]
    [InlineData("request", "--policy", "p", "--reason", "  ")]
    [InlineData("request", "--policy", "p", "--reason", "r", "--scope", "Exact")]
    [InlineData("request", "--policy", "p", "--reason", "r", "--scope", "Object")]
    [InlineData("request", "--policy", "p", "--reason", "r", "--resource", "deploy", "--kind", "Deployment")]
    public async Task A_wrong_command_line_exits_2_with_the_reason_and_where_to_look(params string[] args)
    {
        var (code, output, error) = await Run(args);

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Empty(output);
        Assert.StartsWith("error: ", error, StringComparison.Ordinal);
        Assert.Contains("--help' for usage.", error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("approve", "--help")]
    [InlineData("request", "-h")]
    [InlineData("test", "--help")]
    public async Task Help_is_written_for_kubectl_jit(params string[] args)
    {
        var (code, output, _) = await Run(args);

        Assert.Equal(ExitCodes.Success, code);
        Assert.Contains("kubectl jit", output, StringComparison.Ordinal);
        Assert.DoesNotContain("kubectl-jit", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task No_command_shows_the_help_listing_every_command()
    {
        var (code, output, _) = await Run();

        Assert.Equal(ExitCodes.Success, code);
        foreach (var command in (string[])["list", "describe", "approve", "deny", "request", "wait", "apply", "test", "version"])
            Assert.Contains($"\n  {command}", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Version_prints_the_plugin_and_api_version()
    {
        var (code, output, _) = await Run("version");

        Assert.Equal(ExitCodes.Success, code);
        Assert.StartsWith($"kubectl-jit {VersionCommand.PluginVersion} (API jitadmission.io/v1alpha1", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Kubeconfig_problems_are_errors_not_stack_traces()
    {
        var (code, _, error) = await Run("list", "--kubeconfig", "/nonexistent/kubeconfig");

        Assert.Equal(ExitCodes.Error, code);
        Assert.Equal("error: kubeconfig file \"/nonexistent/kubeconfig\" does not exist\n", error.ReplaceLineEndings("\n"));
    }
}
