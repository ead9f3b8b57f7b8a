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

    [LoggerMessage(EventId = 304, Level = LogLevel.Warning, Message = "The API server cannot verify this replica through {Name}: {Problem}")]
    public static partial void NotTrusted(ILogger logger, string name, string problem);

    [LoggerMessage(EventId = 305, Level = LogLevel.Information, Message = "The caBundle of {Name} verifies this replica's certificate again")]
    public static partial void TrustedAgain(ILogger logger, string name);

    [LoggerMessage(EventId = 306, Level = LogLevel.Warning, Message = "Could not check the caBundle of {Name} against the serving certificate")]
    public static partial void TrustCheckFailed(ILogger logger, Exception exception, string name);

    [LoggerMessage(EventId = 307, Level = LogLevel.Warning, Message = "Restoring the caBundle of {Kind} {Name}: {Problem}")]
    public static partial void Repairing(ILogger logger, string kind, string name, string problem);
}
