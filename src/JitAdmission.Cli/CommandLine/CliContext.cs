namespace JitAdmission.Cli.CommandLine;

/// <summary>What a command runs against besides the cluster: where it writes, the clock, and the environment.</summary>
internal sealed class CliContext(TextWriter output, TextWriter error, TimeProvider time, Func<string, string?> environment)
{
    /// <summary>Results: tables, descriptions, objects, final outcomes.</summary>
    public TextWriter Out { get; } = output;

    /// <summary>Progress, hints and errors, so that piping the results stays clean.</summary>
    public TextWriter Err { get; } = error;

    public TimeProvider Time { get; } = time;

    public string? Environment(string name) => environment(name);

    /// <summary>Who the API server says the caller is, once a command has asked (a 403's advice names them).</summary>
    public string? Username { get; set; }

    public static CliContext System() =>
        new(Console.Out, Console.Error, TimeProvider.System, global::System.Environment.GetEnvironmentVariable);
}
