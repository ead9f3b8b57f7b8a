using System.Reflection;
using System.Text.Json.Nodes;

namespace JitAdmission.Cli.Commands;

/// <summary><c>kubectl jit version</c>: the plugin's version and the API version it speaks.</summary>
internal static class VersionCommand
{
    public static string PluginVersion =>
        typeof(VersionCommand).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion?.Split('+')[0]
        ?? typeof(VersionCommand).Assembly.GetName().Version?.ToString()
        ?? "unknown";

    public static Command Create(CliContext context)
    {
        var output = OutputOption.Create(OutputFormat.Json, OutputFormat.Yaml);
        var command = new Command("version", "Print the plugin's version") { output };
        CommandAction.Set(command, context, async (parse, _) =>
        {
            var format = parse.GetValue(output);
            if (format == OutputFormat.Text)
            {
                await context.Out.WriteLineAsync($"kubectl-jit {PluginVersion} (API {ApiConstants.ApiVersion}, .NET {Environment.Version})");
                return ExitCodes.Success;
            }

            var json = JsonSerializer.SerializeToElement(new JsonObject
            {
                ["plugin"] = "kubectl-jit",
                ["version"] = PluginVersion,
                ["apiVersion"] = ApiConstants.ApiVersion,
            });
            await context.Out.WriteAsync(format == OutputFormat.Json ? JsonSerializer.Serialize(json) + "\n" : YamlText.FromJson(json));
            return ExitCodes.Success;
        });
        return command;
    }
}
