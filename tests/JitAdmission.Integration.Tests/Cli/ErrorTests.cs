using JitAdmission.Integration.Tests.Infrastructure;

namespace JitAdmission.Integration.Tests.Cli;

/// <summary>Failures through real kubectl: one line, no stack trace, and the documented exit code.</summary>
public sealed class ErrorTests(KubeSandbox sandbox) : IClassFixture<KubeSandbox>, IAsyncLifetime
{
    private CliCluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await CliCluster.SetUpAsync(sandbox, "cli-errors", Policies.All);

    public Task DisposeAsync() => Task.CompletedTask;

    [Theory]
    [InlineData("describe", "no-such-request")]
    [InlineData("approve", "no-such-request")]
    [InlineData("deny", "no-such-request", "-m", "x")]
    [InlineData("wait", "no-such-request", "--timeout", "5s")]
    public async Task An_unknown_request_is_an_error_that_says_where_it_looked(params string[] args)
    {
        var result = await _cluster.Jit.RunAsync(_cluster.Bob, [.. args, "-n", "cli-errors"]);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("error: approvalrequest \"no-such-request\" in namespace \"cli-errors\" not found (kubectl jit list -A lists the requests you can see)\n", result.Stderr);
    }

    [Theory]
    [InlineData("lst")]
    [InlineData("list", "--mine", "--bogus")]
    [InlineData("list", "-o", "table")]
    [InlineData("approve")]
    [InlineData("wait", "x", "--timeout", "ten minutes")]
    [InlineData("request", "--reason", "no policy given")]
    public async Task A_bad_command_line_exits_2(params string[] args)
    {
        var result = await _cluster.Jit.RunAsync(_cluster.Bob, args);

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("error: ", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("--help' for usage.", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_works_for_every_command_through_kubectl()
    {
        foreach (var command in (string[])["list", "describe", "approve", "deny", "request", "wait", "apply", "version"])
        {
            var help = await _cluster.Jit.RunRawAsync([command, "--help"]);
            Assert.True(help.Succeeded, help.ToString());
            Assert.Contains($"kubectl jit {command}", help.Stdout, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Without_the_crds_the_plugin_says_what_is_missing()
    {
        var bare = new KubeSandbox();
        await bare.InitializeAsync();
        try
        {
            var result = await new KubectlJit(bare).RunAsync(bare.AdminKubeconfig, "list");

            Assert.Equal(1, result.ExitCode);
            Assert.Contains("is not served by this cluster: install jit-admission's CRDs", result.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            await bare.DisposeAsync();
        }
    }
}
