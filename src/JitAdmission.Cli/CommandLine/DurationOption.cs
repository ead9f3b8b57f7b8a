using JitAdmission.Core.Time;

namespace JitAdmission.Cli.CommandLine;

/// <summary>A duration flag in the Go/kubectl syntax (30s, 10m, 1h30m); 0 means "no limit".</summary>
internal static class DurationOption
{
    public static Option<TimeSpan> Create(string name, string description, TimeSpan defaultValue) =>
        new(name)
        {
            Description = description,
            HelpName = "DURATION",
            DefaultValueFactory = _ => defaultValue,
            CustomParser = result =>
            {
                var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
                if (GoDuration.TryParse(text, out var value, out var error) && value >= TimeSpan.Zero) return value;
                result.AddError($"{name}: {(error.Length > 0 ? error : $"\"{text}\" is negative")}; use e.g. 30s, 10m or 1h (0 = no limit)");
                return defaultValue;
            },
        };
}
