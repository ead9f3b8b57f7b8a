using System.Globalization;

namespace JitAdmission.Benchmarks.Orchestration;

/// <summary>Readings from /proc: a process's CPU time and memory, the machine's per-core CPU use and load average.</summary>
public static class ProcStats
{
    private static readonly double TicksPerSecond = 100.0; // USER_HZ on Linux

    /// <summary>User + system CPU seconds a process has used (all its threads).</summary>
    public static double CpuSeconds(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        // The command name (field 2) may contain spaces: fields are counted after its closing parenthesis.
        var rest = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var utime = long.Parse(rest[11], CultureInfo.InvariantCulture);
        var stime = long.Parse(rest[12], CultureInfo.InvariantCulture);
        return (utime + stime) / TicksPerSecond;
    }

    /// <summary>VmRSS and VmHWM (peak) in bytes.</summary>
    public static (long Rss, long Peak) Memory(int pid)
    {
        long rss = 0, peak = 0;
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal)) rss = Kb(line);
            else if (line.StartsWith("VmHWM:", StringComparison.Ordinal)) peak = Kb(line);
        }

        return (rss, peak);

        static long Kb(string line) =>
            long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
    }

    /// <summary>VmRSS split as the kernel counts it: anonymous (GC heap, native), file-backed (mapped assemblies and
    /// libraries, shared and clean), shared memory (the runtime's double-mapped JIT code), in MiB.</summary>
    public static MemoryBreakdown Breakdown(int pid)
    {
        double anon = 0, file = 0, shmem = 0;
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("RssAnon:", StringComparison.Ordinal)) anon = MiB(line);
            else if (line.StartsWith("RssFile:", StringComparison.Ordinal)) file = MiB(line);
            else if (line.StartsWith("RssShmem:", StringComparison.Ordinal)) shmem = MiB(line);
        }

        return new MemoryBreakdown(anon, file, shmem);

        static double MiB(string line) =>
            Math.Round(long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0, 1);
    }

    public static string LoadAverage() => string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));

    public static double LoadAverage1() => double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], CultureInfo.InvariantCulture);

    /// <summary>Busy and total jiffies per core (cpu0, cpu1, ...).</summary>
    public static CoreTimes[] Cores()
    {
        var list = new List<CoreTimes>();
        foreach (var line in File.ReadLines("/proc/stat"))
        {
            if (!line.StartsWith("cpu", StringComparison.Ordinal) || line.StartsWith("cpu ", StringComparison.Ordinal)) continue;
            var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var values = f.Skip(1).Select(v => long.Parse(v, CultureInfo.InvariantCulture)).ToArray();
            var idle = values[3] + (values.Length > 4 ? values[4] : 0);
            // guest time is already counted in user
            var total = values.Take(Math.Min(8, values.Length)).Sum();
            list.Add(new CoreTimes(total - idle, total));
        }

        return [.. list];
    }

    /// <summary>Per-core busy fraction between two readings.</summary>
    public static double[] Busy(CoreTimes[] before, CoreTimes[] after) =>
        [.. before.Zip(after, (b, a) => a.Total == b.Total ? 0 : (double)(a.Busy - b.Busy) / (a.Total - b.Total))];
}

public readonly record struct CoreTimes(long Busy, long Total);

public sealed record MemoryBreakdown(double AnonMiB, double FileMiB, double ShmemMiB)
{
    public override string ToString() => $"anonymous {AnonMiB:0.0} + file-backed {FileMiB:0.0} + shared (JIT code) {ShmemMiB:0.0} MiB";
}
