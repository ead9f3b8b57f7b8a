using Microsoft.Extensions.Logging;

namespace JitAdmission.Hosting;

internal static partial class HostLog
{
    [LoggerMessage(1, LogLevel.Information, "jit-admission runs as {Username} in namespace {Namespace}")]
    public static partial void Identity(ILogger logger, string username, string @namespace);

    [LoggerMessage(2, LogLevel.Warning, "cannot ask the API server who we are yet (attempt {Attempt})")]
    public static partial void IdentityRetry(ILogger logger, Exception exception, int attempt);

    [LoggerMessage(3, LogLevel.Information, "serving certificate: {Mode}")]
    public static partial void Certificates(ILogger logger, CertificateMode mode);

    [LoggerMessage(4, LogLevel.Information, "leader election {State} (lease {Namespace}/{Lease})")]
    public static partial void Election(ILogger logger, string state, string @namespace, string lease);
}
