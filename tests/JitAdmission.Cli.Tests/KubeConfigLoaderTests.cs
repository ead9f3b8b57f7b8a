using JitAdmission.Cli.CommandLine;
using JitAdmission.Cli.Kube;

namespace JitAdmission.Cli.Tests;

/// <summary>The kubeconfig is found and read the way kubectl does it.</summary>
public sealed class KubeConfigLoaderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("kubectl-jit-config-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, string currentContext, params (string Context, string Server, string? Namespace)[] contexts)
    {
        var path = Path.Combine(_dir, name);
        var text = "apiVersion: v1\nkind: Config\n"
            + $"current-context: \"{currentContext}\"\n"
            + "clusters:\n" + string.Concat(contexts.Select(c => $"- name: {c.Context}\n  cluster:\n    server: {c.Server}\n"))
            + "users:\n" + string.Concat(contexts.Select(c => $"- name: {c.Context}\n  user:\n    token: t-{c.Context}\n"))
            + "contexts:\n" + string.Concat(contexts.Select(c =>
                $"- name: {c.Context}\n  context:\n    cluster: {c.Context}\n    user: {c.Context}\n" + (c.Namespace is null ? "" : $"    namespace: {c.Namespace}\n")));
        File.WriteAllText(path, text);
        return path;
    }

    private static Func<string, string?> Env(params (string Name, string Value)[] values) =>
        name => values.FirstOrDefault(v => v.Name == name).Value;

    [Fact]
    public void The_namespace_is_the_flag_else_the_contexts_else_default()
    {
        var file = Write("config", "dev", ("dev", "https://dev:6443", "team-a"), ("ops", "https://ops:6443", null));

        Assert.Equal("team-a", KubeConfigLoader.Load(new ConnectionSettings(file, null, null), Env()).Namespace);
        Assert.Equal("prod", KubeConfigLoader.Load(new ConnectionSettings(file, null, "prod"), Env()).Namespace);
        Assert.Equal("default", KubeConfigLoader.Load(new ConnectionSettings(file, "ops", null), Env()).Namespace);
        Assert.Equal("https://ops:6443/", KubeConfigLoader.Load(new ConnectionSettings(file, "ops", null), Env()).Configuration.Host.TrimEnd('/') + "/");
    }

    [Fact]
    public void KUBECONFIG_files_are_merged_with_the_first_winning_and_missing_ones_skipped()
    {
        var first = Write("first", "a", ("a", "https://a:6443", "from-first"));
        var second = Write("second", "b", ("b", "https://b:6443", "from-second"), ("a", "https://other:6443", "shadowed"));
        var list = string.Join(Path.PathSeparator, first, Path.Combine(_dir, "missing"), second);

        var current = KubeConfigLoader.Load(new ConnectionSettings(null, null, null), Env(("KUBECONFIG", list)));
        var fromSecond = KubeConfigLoader.Load(new ConnectionSettings(null, "b", null), Env(("KUBECONFIG", list)));

        Assert.Equal("from-first", current.Namespace);
        Assert.StartsWith("https://a:6443", current.Configuration.Host, StringComparison.Ordinal);
        Assert.Equal("from-second", fromSecond.Namespace);
    }

    [Fact]
    public void Without_flag_or_KUBECONFIG_it_is_the_file_in_the_home_directory()
    {
        Directory.CreateDirectory(Path.Combine(_dir, ".kube"));
        File.Copy(Write("home", "h", ("h", "https://home:6443", "home-ns")), Path.Combine(_dir, ".kube", "config"));

        Assert.Equal("home-ns", KubeConfigLoader.Load(new ConnectionSettings(null, null, null), Env(("HOME", _dir))).Namespace);
    }

    [Fact]
    public void Missing_files_and_unknown_contexts_are_one_line_errors()
    {
        var file = Write("config", "dev", ("dev", "https://dev:6443", null));

        var missing = Assert.Throws<CliException>(() => KubeConfigLoader.Load(new ConnectionSettings(Path.Combine(_dir, "nope"), null, null), Env()));
        var context = Assert.Throws<CliException>(() => KubeConfigLoader.Load(new ConnectionSettings(file, "prod", null), Env()));
        var home = Assert.Throws<CliException>(() => KubeConfigLoader.Load(new ConnectionSettings(null, null, null), Env(("HOME", Path.Combine(_dir, "empty")))));

        Assert.Contains("does not exist", missing.Message, StringComparison.Ordinal);
        Assert.Equal($"context \"prod\" is not in the kubeconfig ({file}); known contexts: dev", context.Message);
        Assert.Contains("no kubeconfig", home.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_kubeconfig_user_with_as_is_impersonated_and_flags_win()
    {
        var file = Write("config", "dev", ("dev", "https://dev:6443", null));
        File.WriteAllText(file, File.ReadAllText(file).Replace("    token: t-dev\n", "    token: t-dev\n    as: bob\n    as-groups: [sre]\n", StringComparison.Ordinal));

        var fromConfig = KubeConfigLoader.Load(new ConnectionSettings(file, null, null), Env()).Impersonation;
        var fromFlags = KubeConfigLoader.Load(new ConnectionSettings(file, null, null) { As = "carol", AsGroups = ["security"], AsUid = "c-1" }, Env()).Impersonation;

        Assert.NotNull(fromConfig);
        Assert.Equal("bob", fromConfig.User);
        Assert.Equal(["sre"], fromConfig.Groups);
        Assert.NotNull(fromFlags);
        Assert.Equal(("carol", "c-1"), (fromFlags.User, fromFlags.Uid));
        Assert.Equal(["security"], fromFlags.Groups);
        Assert.Null(KubeConfigLoader.Load(new ConnectionSettings(Write("plain", "p", ("p", "https://p:6443", null)), null, null), Env()).Impersonation);
    }

    [Fact]
    public void Impersonation_that_cannot_be_sent_faithfully_is_refused()
    {
        var file = Write("config", "dev", ("dev", "https://dev:6443", null));

        var groupsWithoutUser = Assert.Throws<CliException>(() => KubeConfigLoader.Load(new ConnectionSettings(file, null, null) { AsGroups = ["sre"] }, Env()));
        var twoGroups = Assert.Throws<CliException>(() => KubeConfigLoader.Load(new ConnectionSettings(file, null, null) { As = "bob", AsGroups = ["sre", "ops"] }, Env()));

        Assert.Equal(ExitCodes.Usage, groupsWithoutUser.ExitCode);
        Assert.Contains("at most one group", twoGroups.Message, StringComparison.Ordinal);
    }
}
