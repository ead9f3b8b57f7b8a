namespace JitAdmission.Cli.CommandLine;

/// <summary>The connection flags as given; null when not given.</summary>
internal sealed record ConnectionSettings(string? Kubeconfig, string? Context, string? Namespace);
