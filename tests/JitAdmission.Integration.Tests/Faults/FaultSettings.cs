using System.Globalization;

namespace JitAdmission.Integration.Tests.Faults;

/// <summary>
/// How hard the fault scenarios push: <c>make test</c> runs each once with few contenders; <c>make faults</c> sets
/// JIT_FAULT_ROUNDS (5, or 20 with FAULT_ROUNDS=20), JIT_FAULT_CONTENDERS (100), JIT_FAULT_SECONDS (20) and JIT_FAULT_REPORT (the report file).
/// Timings are random (JIT_FAULT_SEED, printed in the report, replays them).
/// </summary>
internal static class FaultSettings
{
    public static int Rounds { get; } = Int("JIT_FAULT_ROUNDS", 1);

    public static int Contenders { get; } = Int("JIT_FAULT_CONTENDERS", 20);

    /// <summary>How long the sustained-load scenarios run, in seconds (make faults: 20).</summary>
    public static int Seconds { get; } = Int("JIT_FAULT_SECONDS", 3);

    /// <summary>Leader hand-overs in a row (make faults: 10, or 100 with FAULT_HANDOVERS=100).</summary>
    public static int HandOvers { get; } = Int("JIT_FAULT_HANDOVERS", 1);

    /// <summary>Pending requests the pressure scenario fills the cluster with (make faults: 10,000; a burst of a tenth follows).</summary>
    public static int Pending { get; } = Int("JIT_FAULT_PENDING", 200);

    public static int Seed { get; } = Int("JIT_FAULT_SEED", Environment.TickCount & 0x7fffffff);

    public static string? ReportFile { get; } = Environment.GetEnvironmentVariable("JIT_FAULT_REPORT") is { Length: > 0 } f ? f : null;

    private static int Int(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : fallback;
}
