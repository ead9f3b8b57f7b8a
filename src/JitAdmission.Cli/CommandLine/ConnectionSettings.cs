namespace JitAdmission.Cli.CommandLine;

/// <summary>The connection flags as given; null when not given.</summary>
internal sealed record ConnectionSettings(string? Kubeconfig, string? Context, string? Namespace)
{
    /// <summary>--as: the user to impersonate.</summary>
    public string? As { get; init; }

    /// <summary>--as-group (repeatable): groups to impersonate; needs <see cref="As"/>.</summary>
    public IReadOnlyList<string> AsGroups { get; init; } = [];

    /// <summary>--as-uid: the uid to impersonate; needs <see cref="As"/>.</summary>
    public string? AsUid { get; init; }
}
