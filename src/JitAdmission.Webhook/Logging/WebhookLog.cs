namespace JitAdmission.Webhook;

internal static partial class WebhookLog
{
    /// <summary>Information for every decision, except plain allows (nothing applied), which are routine and at Debug.</summary>
    [LoggerMessage(EventId = 1,
        Message = "Admission {Endpoint} uid={Uid} {Operation} {Resource} {ObjectNamespace}/{ObjectName} user={User}: {Outcome} allowed={Allowed} in {DurationMs} ms")]
    public static partial void Decision(ILogger logger, LogLevel level, string endpoint, string uid, string operation, string resource,
        string objectNamespace, string objectName, string user, string outcome, bool allowed, double durationMs);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning,
        Message = "Refused request on {Endpoint} with {StatusCode} ({Reason}): {Message} uid={Uid}")]
    public static partial void BadRequest(ILogger logger, string endpoint, int statusCode, string reason, string message, string? uid);

    [LoggerMessage(EventId = 3, Level = LogLevel.Error,
        Message = "Admission handler for {Endpoint} failed on uid={Uid}; answered fail-closed")]
    public static partial void HandlerFailed(ILogger logger, Exception exception, string endpoint, string uid);

    [LoggerMessage(EventId = 4, Level = LogLevel.Warning,
        Message = "Admission handler for {Endpoint} gave no answer for uid={Uid} within {TimeoutMs} ms; answered fail-closed")]
    public static partial void HandlerTimedOut(ILogger logger, string endpoint, string uid, double timeoutMs);

    [LoggerMessage(EventId = 5, Level = LogLevel.Warning,
        Message = "Admission handler for validating endpoint {Endpoint} returned a patch for uid={Uid}; dropped (validating webhooks may not patch)")]
    public static partial void PatchDropped(ILogger logger, string endpoint, string uid);

    [LoggerMessage(EventId = 6, Level = LogLevel.Debug,
        Message = "Client went away before {Endpoint} answered uid={Uid}")]
    public static partial void ClientAborted(ILogger logger, string endpoint, string? uid);
}
