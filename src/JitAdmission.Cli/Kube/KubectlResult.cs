namespace JitAdmission.Cli.Kube;

/// <summary>What a kubectl run printed and how it ended.</summary>
internal sealed record KubectlResult(int ExitCode, string Stderr);
