namespace JitAdmission.Cli.CommandLine;

/// <summary>The -o/--output formats, as kubectl names them.</summary>
internal enum OutputFormat
{
    /// <summary>Human-readable text (no -o).</summary>
    Text,
    Json,
    Yaml,
    /// <summary>The table with more columns.</summary>
    Wide,
    /// <summary>resource/name, one per line.</summary>
    Name,
}
