namespace JitAdmission.Cli.CommandLine;

/// <summary>The kubectl flags every command understands (after the plugin name: <c>kubectl jit list -n prod</c>).</summary>
internal sealed class CommonOptions
{
    public Option<string> Kubeconfig { get; } = Flag<string>("--kubeconfig", "FILE", "Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)");

    public Option<string> Context { get; } = Flag<string>("--context", "NAME", "The kubeconfig context to use (default: its current context)");

    public Option<string> Namespace { get; } = Flag<string>("--namespace", "NS", "Namespace of the approval requests (default: the context's namespace)", "-n");

    public Option<string> As { get; } = Flag<string>("--as", "USER", "Act as this user (impersonation, as kubectl --as)");

    public Option<string[]> AsGroup { get; } = Flag<string[]>("--as-group", "GROUP", "Act with this group (impersonation, as kubectl --as-group; needs --as)");

    public Option<string> AsUid { get; } = Flag<string>("--as-uid", "UID", "Act with this uid (impersonation, as kubectl --as-uid; needs --as)");

    /// <summary>A flag every subcommand accepts (kubectl jit list -n prod as well as kubectl jit -n prod list).</summary>
    private static Option<T> Flag<T>(string name, string helpName, string description, params string[] aliases) =>
        Recursive(CommandLine.Flag.Of<T>(name, description, helpName, aliases));

    private static Option<T> Recursive<T>(Option<T> option)
    {
        option.Recursive = true;
        return option;
    }

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
