namespace JitAdmission.Kubernetes.Leadership;

internal static partial class LeaderElectionLog
{
    [LoggerMessage(EventId = 3001, Level = LogLevel.Information, Message = "{Identity} became the leader ({Lease})")]
    public static partial void StartedLeading(ILogger logger, string identity, string lease);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Information, Message = "{Identity} stopped leading ({Lease})")]
    public static partial void StoppedLeading(ILogger logger, string identity, string lease);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Information, Message = "Leader of {Lease} is now {Leader}")]
    public static partial void NewLeader(ILogger logger, string lease, string leader);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Warning, Message = "Leader election on {Lease} hit an error")]
    public static partial void Error(ILogger logger, Exception exception, string lease);

    [LoggerMessage(EventId = 3005, Level = LogLevel.Information, Message = "{Identity} released {Lease} for a quick hand-over")]
    public static partial void Released(ILogger logger, string identity, string lease);

    [LoggerMessage(EventId = 3006, Level = LogLevel.Warning, Message = "{Identity} could not release {Lease}; others take over when it expires")]
    public static partial void ReleaseFailed(ILogger logger, Exception exception, string identity, string lease);

    [LoggerMessage(EventId = 3007, Level = LogLevel.Error, Message = "A leadership event handler threw")]
    public static partial void HandlerFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 3008, Level = LogLevel.Error, Message = "{Identity}: the work run while leading {Lease} failed")]
    public static partial void WorkFailed(ILogger logger, Exception exception, string identity, string lease);
}
