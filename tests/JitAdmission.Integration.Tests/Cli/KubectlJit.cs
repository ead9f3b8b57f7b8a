using JitAdmission.Integration.Tests.Infrastructure;

namespace JitAdmission.Integration.Tests.Cli;

/// <summary>
/// Runs the plugin the way users do: real kubectl finds <c>kubectl-jit</c> (the apphost in this test's output directory,
/// put first on PATH) and runs <c>kubectl jit ARGS</c>. $KUBECONFIG is cleared and $HOME is a scratch directory, so the
/// only kubeconfig is the one passed with --kubeconfig (or set up by the test).
/// </summary>
internal sealed class KubectlJit(KubeSandbox sandbox)
{
    public static string PluginDirectory
    {
        get
        {
            var dir = AppContext.BaseDirectory;
            if (!File.Exists(Path.Combine(dir, "kubectl-jit")))
                throw new InvalidOperationException($"kubectl-jit is not in {dir}: the test project references src/JitAdmission.Cli");
            return dir;
        }
    }

    public Dictionary<string, string> Environment(IDictionary<string, string>? extra = null)
    {
        var path = string.Join(Path.PathSeparator, PluginDirectory, Path.GetDirectoryName(sandbox.Kubectl)!, System.Environment.GetEnvironmentVariable("PATH") ?? "");
        var home = Path.Combine(sandbox.Dir, "home");
        Directory.CreateDirectory(home);
        var env = new Dictionary<string, string>
        {
            ["PATH"] = path,
            ["HOME"] = home,
            ["KUBECONFIG"] = "",
            ["KUBECTL"] = sandbox.Kubectl,
            ["DOTNET_NOLOGO"] = "1",
        };
        foreach (var (k, v) in extra ?? new Dictionary<string, string>()) env[k] = v;
        return env;
    }

    /// <summary><c>kubectl jit ARGS --kubeconfig KUBECONFIG</c>.</summary>
    public Task<CommandResult> RunAsync(string kubeconfig, params string[] args) =>
        RunRawAsync([.. args, "--kubeconfig", kubeconfig]);

    /// <summary><c>kubectl jit ARGS</c> with nothing added.</summary>
    public Task<CommandResult> RunRawAsync(IEnumerable<string> args, IDictionary<string, string>? environment = null, string? stdin = null) =>
        ProcessRunner.RunAsync(sandbox.Kubectl, ["jit", .. args], stdin, Environment(environment), timeout: TimeSpan.FromSeconds(90));

    /// <summary>Starts <c>kubectl jit ARGS --kubeconfig KUBECONFIG</c> in the background (wait, apply --wait).</summary>
    public RunningPlugin Start(string kubeconfig, params string[] args) =>
        RunningPlugin.Start(sandbox.Kubectl, ["jit", .. args, "--kubeconfig", kubeconfig], Environment());
}
