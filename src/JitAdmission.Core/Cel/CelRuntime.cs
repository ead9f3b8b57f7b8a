using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Cel;
using Cel.Internal;

namespace JitAdmission.Core.Cel;

/// <summary>
/// The one CEL environment every policy compiles against, with the names it binds. Compiled programs only read the
/// environment and were verified safe to run in parallel (see the thread-safety tests); compiling is serialised
/// because the library does not document its environment as thread-safe.
/// </summary>
internal static class CelRuntime
{
    private static readonly Lock CompileLock = new();
    private static readonly CelEnvironment Env = Create();

    /// <summary>Functions bound in <see cref="Env"/> (built-ins of the library plus our <c>matches</c>).</summary>
    public static readonly HashSet<string> Functions = new(StringComparer.Ordinal)
    {
        "bool", "bytes", "contains", "decimal", "double", "duration", "dyn", "endsWith", "getDate", "getDayOfMonth",
        "getDayOfWeek", "getDayOfYear", "getFullYear", "getHours", "getMilliseconds", "getMinutes", "getMonth",
        "getSeconds", "has", "int", "matches", "size", "startsWith", "string", "timestamp", "type", "uint",
    };

    /// <summary>Comprehension macros; the library supports the two-argument form <c>list.m(x, expr)</c> only.</summary>
    public static readonly HashSet<string> Macros = new(StringComparer.Ordinal) { "all", "exists", "exists_one", "filter", "map" };

    /// <summary>Type names the library resolves before any variable, so they can be neither shadowed nor undeclared.</summary>
    public static readonly HashSet<string> TypeNames = new(StringComparer.Ordinal)
    {
        "bool", "bytes", "double", "dyn", "int", "list", "map", "null_type", "string", "type", "uint",
    };

    public static CelParser.StartContext Parse(string expression)
    {
        lock (CompileLock) return Env.Parse(expression);
    }

    public static CelProgramDelegate Compile(CelParser.StartContext tree)
    {
        lock (CompileLock) return Env.Compile(tree);
    }

    private static CelEnvironment Create()
    {
        var environment = new CelEnvironment(null, null);
        // Replaces the built-in matches: CEL specifies RE2 (linear time); a backtracking regex over a requester's
        // object could stall the webhook. Registrations added later take precedence in the library.
        environment.RegisterFunction("matches", [typeof(string), typeof(string)], args => Regexes.Get((string)args[1]!).IsMatch((string)args[0]!));
        return environment;
    }

    internal static class Regexes
    {
        private const int MaxCached = 1024;
        private static readonly ConcurrentDictionary<string, Regex> Cache = new(StringComparer.Ordinal);
        private static int _cached;

        /// <summary>Throws <see cref="ArgumentException"/> or <see cref="NotSupportedException"/> for patterns RE2 would reject too
        /// (back-references, look-arounds).</summary>
        public static Regex Get(string pattern)
        {
            if (Cache.TryGetValue(pattern, out var regex)) return regex;
            regex = new Regex(pattern, RegexOptions.NonBacktracking | RegexOptions.CultureInvariant);
            // Patterns can come from objects (requester data): the bound keeps them from growing the cache forever.
            if (Volatile.Read(ref _cached) < MaxCached && Cache.TryAdd(pattern, regex)) Interlocked.Increment(ref _cached);
            return regex;
        }
    }
}
