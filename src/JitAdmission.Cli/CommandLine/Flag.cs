namespace JitAdmission.Cli.CommandLine;

/// <summary>The flags and arguments commands declare, each in one line.</summary>
internal static class Flag
{
    /// <summary>--name (and its aliases) with its help text and, for a value, the name help shows for it.</summary>
    public static Option<T> Of<T>(string name, string description, string? helpName = null, params string[] aliases) =>
        new(name, aliases) { Description = description, HelpName = helpName };

    /// <summary>The NAME of the approval request a command acts on, in the namespace of -n.</summary>
    public static Argument<string> RequestName(string description) => new("NAME") { Description = description };
}
