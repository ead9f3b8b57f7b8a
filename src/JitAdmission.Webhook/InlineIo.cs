using System.Runtime.InteropServices;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Configuration;

namespace JitAdmission.Webhook;

/// <summary>What <see cref="InlineIo.Apply"/> put in effect, for the start-up log.</summary>
/// <param name="Requests">Kestrel runs request work on the thread that completed the socket operation.</param>
/// <param name="SocketCompletions">.NET runs socket continuations on its event threads rather than the thread pool.</param>
/// <param name="EventThreads">Socket event threads (one per CPU when completions run inline).</param>
public readonly record struct InlineIoState(bool Requests, bool SocketCompletions, int EventThreads);

/// <summary>
/// <c>Webhook:InlineIo</c> (on unless false): request work runs on the socket event threads (Kestrel's
/// <c>UnsafePreferInlineScheduling</c> and .NET's inline socket completions) instead of hopping to the thread pool,
/// so on a one-CPU pod a decision is not preempted by pool threads reading other bodies. Nothing on these threads
/// may block: it would stall every connection they serve. Why and what it costs: docs/configuration.md.
/// It is read here, before the host exists, rather than through <see cref="WebhookOptions"/>: .NET fixes its socket
/// mode with the first socket.
/// </summary>
public static class InlineIo
{
    /// <summary>Read once by .NET, when the process creates its first socket.</summary>
    private const string SocketCompletionsVariable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";
    private const string ThreadCountVariable = "DOTNET_SYSTEM_NET_SOCKETS_THREAD_COUNT";
    private const string Key = WebhookOptions.SectionName + ":InlineIo";

    /// <summary>On unless set to false.</summary>
    public static bool IsEnabled(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var value = configuration[Key];
        if (string.IsNullOrWhiteSpace(value)) return true;
        return bool.TryParse(value, out var enabled)
            ? enabled
            : throw new InvalidOperationException($"{Key}: \"{value}\" is not true or false");
    }

    /// <summary>
    /// Must run before anything opens a socket (the API client, Kestrel), i.e. before the host is built. An
    /// operator's own DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS is left as it is.
    /// </summary>
    public static InlineIoState Apply(IWebHostBuilder builder, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var enabled = IsEnabled(configuration);
        if (enabled)
        {
            if (Environment.GetEnvironmentVariable(SocketCompletionsVariable) is null)
                Environment.SetEnvironmentVariable(SocketCompletionsVariable, "1");
            builder.ConfigureServices(services => services.Configure<SocketTransportOptions>(o => o.UnsafePreferInlineScheduling = true));
        }

        return Current(enabled);
    }

    private static InlineIoState Current(bool requests)
    {
        var completions = Environment.GetEnvironmentVariable(SocketCompletionsVariable) == "1";
        // As .NET sizes its engines: an explicit count, else one per CPU when inline, else one per 30 CPUs (8 on Arm).
        var cpusPerThread = RuntimeInformation.ProcessArchitecture is Architecture.Arm64 or Architecture.Arm ? 8.0 : 30.0;
        var threads = int.TryParse(Environment.GetEnvironmentVariable(ThreadCountVariable), out var count) && count > 0
            ? count
            : completions ? Environment.ProcessorCount : Math.Max(1, (int)Math.Round(Environment.ProcessorCount / cpusPerThread));
        return new InlineIoState(requests, completions, threads);
    }
}
