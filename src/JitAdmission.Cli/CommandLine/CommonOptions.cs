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

    public Option<string> As { get; } = new("--as")
    {
        Description = "Act as this user (impersonation, as kubectl --as)",
        Recursive = true,
        HelpName = "USER",
    };

    public Option<string[]> AsGroup { get; } = new("--as-group")
    {
        Description = "Act with this group (impersonation, as kubectl --as-group; needs --as)",
        Recursive = true,
        HelpName = "GROUP",
    };

    public Option<string> AsUid { get; } = new("--as-uid")
    {
        Description = "Act with this uid (impersonation, as kubectl --as-uid; needs --as)",
        Recursive = true,
        HelpName = "UID",
    };

    public void AddTo(Command root)
    {
        ArgumentNullException.ThrowIfNull(root);
        root.Options.Add(Kubeconfig);
        root.Options.Add(Context);
        root.Options.Add(Namespace);
        root.Options.Add(As);
        root.Options.Add(AsGroup);
        root.Options.Add(AsUid);
    }

    public ConnectionSettings Read(ParseResult parse)
    {
        ArgumentNullException.ThrowIfNull(parse);
        return new(parse.GetValue(Kubeconfig), parse.GetValue(Context), parse.GetValue(Namespace))
        {
            As = parse.GetValue(As),
            AsGroups = parse.GetValue(AsGroup) ?? [],
            AsUid = parse.GetValue(AsUid),
        };
    }
}
