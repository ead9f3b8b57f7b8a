using System.CommandLine;

namespace JitAdmission.Cli.CommandLine;

/// <summary>The kubectl flags every command understands (after the plugin name: <c>kubectl jit list -n prod</c>).</summary>
internal sealed class CommonOptions
{
    public Option<string> Kubeconfig { get; } = new("--kubeconfig")
    {
        Description = "Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)",
        Recursive = true,
        HelpName = "FILE",
    };

    public Option<string> Context { get; } = new("--context")
    {
        Description = "The kubeconfig context to use (default: its current context)",
        Recursive = true,
        HelpName = "NAME",
    };

    public Option<string> Namespace { get; } = new("--namespace", "-n")
    {
        Description = "Namespace of the approval requests (default: the context's namespace)",
        Recursive = true,
        HelpName = "NS",
    };

    public void AddTo(Command root)
    {
        root.Options.Add(Kubeconfig);
        root.Options.Add(Context);
        root.Options.Add(Namespace);
    }

    public ConnectionSettings Read(ParseResult parse) =>
        new(parse.GetValue(Kubeconfig), parse.GetValue(Context), parse.GetValue(Namespace));
}
