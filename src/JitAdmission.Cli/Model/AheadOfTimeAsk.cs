namespace JitAdmission.Cli.Model;

/// <summary>What the caller asks for ahead of time (<c>kubectl jit request</c>).</summary>
internal sealed record AheadOfTimeAsk(
    IReadOnlyList<string> Policies, string Reason, ApprovalScope Scope, string Namespace, ResolvedResource? Resource,
    string? ObjectName, bool LimitToNamespace, bool BreakGlass, string? RequestName);
