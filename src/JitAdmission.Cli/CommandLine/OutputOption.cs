namespace JitAdmission.Cli.CommandLine;

/// <summary>The -o/--output flag of a command.</summary>
internal static class OutputOption
{
    /// <summary>-o/--output accepting only the given formats (by their lower-case names).</summary>
    public static Option<OutputFormat> Create(params OutputFormat[] allowed)
    {
        var names = allowed.Select(f => f.ToString().ToLowerInvariant()).ToArray();
        return new Option<OutputFormat>("--output", "-o")
        {
            Description = $"Output format: {string.Join(", ", names)}",
            HelpName = string.Join("|", names),
            CustomParser = result =>
            {
                var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
                var index = Array.IndexOf(names, text.ToLowerInvariant());
                if (index >= 0) return allowed[index];
                result.AddError($"unknown output format \"{text}\": use one of {string.Join(", ", names)}");
                return OutputFormat.Text;
            },
        };
    }
}
