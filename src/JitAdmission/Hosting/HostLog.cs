using System.Runtime;
using JitAdmission.Core.Admission;
using JitAdmission.Webhook;
using JitAdmission.Webhook.Gating;

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

    [LoggerMessage(5, LogLevel.Information,
        "garbage collector: {Kind}, {Collections} full collections, conserve memory {ConserveMemory}, gen-0 budget up to {Gen0MaxBytes} bytes, large objects from {LargeObjectBytes} bytes")]
    private static partial void GarbageCollector(ILogger logger, string kind, string collections, object conserveMemory, object gen0MaxBytes, object largeObjectBytes);

    /// <summary>The collector settings in effect (the project file sets them; DOTNET_GCConserveMemory can override one), so
    /// an operator reading the log knows what the memory figures come from.</summary>
    public static void GarbageCollector(ILogger logger)
    {
        var settings = GC.GetConfigurationVariables();
        GarbageCollector(logger, GCSettings.IsServerGC ? "server" : "workstation", GCSettings.LatencyMode == GCLatencyMode.Batch ? "blocking" : "background",
            settings.GetValueOrDefault("GCConserveMem", 0L), settings.GetValueOrDefault("GCGen0MaxBudget", 0L), settings.GetValueOrDefault("LOHThreshold", 0L));
    }

    [LoggerMessage(6, LogLevel.Information, "request work: {Where}, socket completions {Completions}, {EventThreads} socket event thread(s)")]
    private static partial void RequestThreads(ILogger logger, string where, string completions, int eventThreads);

    /// <summary>Where admission requests run (Webhook:InlineIo), as the process actually set it up.</summary>
    public static void RequestThreads(ILogger logger, InlineIoState state) =>
        RequestThreads(logger, state.Requests ? "inline on the socket event threads" : "on the thread pool",
            state.SocketCompletions ? "inline" : "on the thread pool", state.EventThreads);

    [LoggerMessage(7, LogLevel.Information,
        "gate: never gated: users [{Users}], groups [{Groups}]; callers {Callers}; at most {MaxPending} pending request(s) per requester")]
    private static partial void Gate(ILogger logger, string users, string groups, string callers, string maxPending);

    /// <summary>Who passes the gate unasked and who may call it, so an operator can check the trust boundary in the log
    /// (docs/operations.md promises it).</summary>
    public static void Gate(ILogger logger, GateOptions gate, WebhookOptions webhook)
    {
        var trusted = TrustedSubjects.From(gate.TrustedUsers, gate.TrustedGroups);
        Gate(logger, string.Join(", ", trusted.Users.Order(StringComparer.Ordinal)), string.Join(", ", trusted.Groups.Order(StringComparer.Ordinal)),
            webhook.ClientCaFile is { Length: > 0 } ca ? $"must present a client certificate signed by {ca}" : "are not authenticated (no client CA; forged reviews can open Pending requests)",
            gate.MaxPendingPerRequester > 0 ? gate.MaxPendingPerRequester.ToString(System.Globalization.CultureInfo.InvariantCulture) : "unlimited");
    }
}
