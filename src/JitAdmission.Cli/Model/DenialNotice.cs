namespace JitAdmission.Cli.Model;

/// <summary>One jit-admission denial found in kubectl's output.</summary>
internal sealed record DenialNotice(DenialKind Kind, string Name, string Namespace, string Summary);
