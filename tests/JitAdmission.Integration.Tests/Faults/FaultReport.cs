using System.Globalization;

namespace JitAdmission.Integration.Tests.Faults;

/// <summary>What one scenario did over its rounds: the load, the faults injected, how calls ended, approvals used.</summary>
internal sealed class FaultTally(string scenario, string load)
{
    public string Scenario { get; } = scenario;
    public string Load { get; } = load;
    public int Rounds { get; set; }
    public List<string> Injected { get; } = [];
    public int Allowed { get; set; }
    public int Denied { get; set; }
    public int Failed { get; set; }
    public int Uses { get; set; }
    public List<string> Invariants { get; } = [];

    /// <summary>A figure worth reporting beside the injected faults (the slowest call, memory), or empty.</summary>
    public string Note { get; set; } = "";

    /// <summary>The longest a scenario's faults left some replica's caches behind the API server (FaultCluster.SettleAsync).</summary>
    public TimeSpan SlowestRecovery { get; private set; }

    public void Recovered(TimeSpan took)
    {
        if (took > SlowestRecovery) SlowestRecovery = took;
    }

    public void Count(CallOutcome outcome)
    {
        switch (outcome)
        {
            case CallOutcome.Allowed: Allowed++; break;
            case CallOutcome.Denied: Denied++; break;
            default: Failed++; break;
        }
    }
}

/// <summary>
/// Appends one Markdown row per scenario to <see cref="FaultSettings.ReportFile"/> (make faults writes the header and
/// the seed). A row is written only when the scenario passed, so every row in a finished report has 0 violations.
/// </summary>
internal static class FaultReport
{
    private static readonly Lock Gate = new();

    public static void Write(FaultTally t)
    {
        if (FaultSettings.ReportFile is not { } file) return;
        var injected = string.Join("; ", t.Injected.GroupBy(i => i, StringComparer.Ordinal).Select(g => g.Count() == 1 ? g.Key : $"{g.Key} ×{g.Count()}"));
        var notes = string.Join("; ", new[] { t.Note, t.SlowestRecovery > TimeSpan.Zero ? $"a new policy and Grant worked on every replica within {t.SlowestRecovery.TotalSeconds:0.0} s" : "" }
            .Where(n => n.Length > 0));
        if (notes.Length > 0) injected = injected.Length == 0 ? notes : $"{injected} ({notes})";
        var row = string.Create(CultureInfo.InvariantCulture,
            $"| {t.Scenario} | {t.Rounds} | {t.Load} | {injected} | {t.Allowed} | {t.Denied} | {t.Failed} | {t.Uses} | {string.Join("; ", t.Invariants)} | 0 |\n");
        lock (Gate) File.AppendAllText(file, row);
    }
}
