namespace JitAdmission.Controller.WebhookConfiguration;

internal static partial class WebhookConfigurationLog
{
    [LoggerMessage(EventId = 300, Level = LogLevel.Information, Message = "Leading: owning the webhook configurations {Name}")]
    public static partial void Leading(ILogger logger, string name);

    [LoggerMessage(EventId = 301, Level = LogLevel.Information, Message = "Created {Kind} {Name}")]
    public static partial void Created(ILogger logger, string kind, string name);

    [LoggerMessage(EventId = 302, Level = LogLevel.Information, Message = "Updated {Kind} {Name}: it differed from the policies, settings or CA ({GateRules} gate rules)")]
    public static partial void Updated(ILogger logger, string kind, string name, int gateRules);

    [LoggerMessage(EventId = 303, Level = LogLevel.Information, Message = "No longer leading: stopped owning the webhook configurations {Name}")]
    public static partial void Stopped(ILogger logger, string name);
}
