namespace JitAdmission.Core.Admission;

/// <summary>Verdict outcomes of the gate, as metrics and logs label them.</summary>
public static class Outcomes
{
    public const string Allow = "allow";
    public const string Consume = "consume";
    /// <summary>The identical connection again right after its approval was used: kubectl's protocol fallback (see RetryGrace).</summary>
    public const string Retry = "retry";
    public const string Hold = "hold";
    public const string Deny = "deny";
    public const string Warn = "warn";
    public const string Audit = "audit";
    public const string BreakGlass = "breakglass";
    public const string Error = "error";
}

