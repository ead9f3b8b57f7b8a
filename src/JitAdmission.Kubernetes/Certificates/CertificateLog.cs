namespace JitAdmission.Kubernetes.Certificates;

internal static partial class CertificateLog
{
    [LoggerMessage(EventId = 5001, Level = LogLevel.Information, Message = "Serving certificate loaded from {Source}: {Subject}, valid until {NotAfter:u} ({Thumbprint})")]
    public static partial void Loaded(ILogger logger, string source, string subject, DateTime notAfter, string thumbprint);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Warning, Message = "Ignoring the certificate in {Source} (keeping the current one): {Reason}")]
    public static partial void Rejected(ILogger logger, string source, string reason);

    [LoggerMessage(EventId = 5003, Level = LogLevel.Information, Message = "Certificate Secret {Secret}: {Actions}")]
    public static partial void SecretWritten(ILogger logger, string secret, IEnumerable<string> actions);

    [LoggerMessage(EventId = 5004, Level = LogLevel.Warning, Message = "Certificate Secret {Secret}: {Outcome} while writing; will re-read and retry")]
    public static partial void SecretWriteRaced(ILogger logger, string secret, JitAdmission.Kubernetes.Api.ApiOutcome outcome);

    [LoggerMessage(EventId = 5005, Level = LogLevel.Error, Message = "Certificate Secret {Secret}: maintenance failed")]
    public static partial void MaintenanceFailed(ILogger logger, Exception exception, string secret);

    [LoggerMessage(EventId = 5006, Level = LogLevel.Error, Message = "A certificate Changed handler threw")]
    public static partial void HandlerFailed(ILogger logger, Exception exception);
}
