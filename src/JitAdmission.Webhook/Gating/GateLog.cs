namespace JitAdmission.Webhook.Gating;

internal static partial class GateLog
{
    [LoggerMessage(EventId = 100, Level = LogLevel.Information,
        Message = "Created ApprovalRequest {Namespace}/{Name} for {Operation} {Resource} by {User} (policies {Policies})")]
    public static partial void Created(ILogger logger, string @namespace, string name, string operation, string resource, string user, IReadOnlyList<string> policies);

    [LoggerMessage(EventId = 101, Level = LogLevel.Information,
        Message = "Used ApprovalRequest {Namespace}/{Name} for {Operation} {Resource} by {User} (use {Uses})")]
    public static partial void Consumed(ILogger logger, string @namespace, string name, string operation, string resource, string user, int uses);

    [LoggerMessage(EventId = 102, Level = LogLevel.Information,
        Message = "ApprovalRequest {Namespace}/{Name} changed while recording a use ({Outcome}); deciding again")]
    public static partial void ConsumeRaced(ILogger logger, string @namespace, string name, JitAdmission.Kubernetes.Api.ApiOutcome outcome);

    [LoggerMessage(EventId = 103, Level = LogLevel.Information,
        Message = "ApprovalRequest {Namespace}/{Name} was created meanwhile (another replica or a retry); using it")]
    public static partial void CreateRaced(ILogger logger, string @namespace, string name);

    [LoggerMessage(EventId = 104, Level = LogLevel.Warning,
        Message = "Break-glass by {User}: {Operation} {Resource} {ObjectNamespace}/{ObjectName} allowed, recorded as {Record}")]
    public static partial void BreakGlass(ILogger logger, string user, string operation, string resource, string objectNamespace, string objectName, string record);

    [LoggerMessage(EventId = 105, Level = LogLevel.Error, Message = "Gate could not decide uid={Uid}; denied (fail closed): {Reason}")]
    public static partial void CouldNotDecide(ILogger logger, string uid, string reason);

    [LoggerMessage(EventId = 106, Level = LogLevel.Error, Message = "Gate failed on uid={Uid}; denied (fail closed)")]
    public static partial void Failed(ILogger logger, Exception exception, string uid);
}
