using System.Runtime.InteropServices;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace JitAdmission.Webhook;

/// <summary>What <see cref="InlineIo.Apply"/> put in effect, for the start-up log.</summary>
/// <param name="Requests">Kestrel runs request work on the thread that completed the socket operation.</param>
/// <param name="SocketCompletions">.NET runs socket continuations on its event threads rather than the thread pool.</param>
/// <param name="EventThreads">Socket event threads (one per CPU when completions run inline).</param>
public readonly record struct InlineIoState(bool Requests, bool SocketCompletions, int EventThreads);

/// <summary>
/// <see cref="WebhookOptions.InlineIo"/>: request work runs on the socket event threads (Kestrel's
/// <c>UnsafePreferInlineScheduling</c> and .NET's inline socket completions) instead of hopping to the thread pool.
/// On a one-CPU pod a decision then runs to its end instead of being preempted by pool threads that read other
/// requests' bodies: with 100 KB objects at 16 connections, decisions over 1 ms fell from about 1 % to under
/// 0.05 % (docs/benchmarks.md, change 11). The price is that a blocking call on one of these threads would stall
/// every connection it serves; nothing in this process blocks (handlers, caches, API client, controller and
/// leader election are asynchronous throughout), and the end-to-end suite runs with it on.
/// </summary>
public static class InlineIo
{
    /// <summary>Read once by .NET, when the process creates its first socket.</summary>
    public const string SocketCompletionsVariable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";
    private const string ThreadCountVariable = "DOTNET_SYSTEM_NET_SOCKETS_THREAD_COUNT";
    private const string Key = WebhookOptions.SectionName + ":" + nameof(WebhookOptions.InlineIo);

    /// <summary><c>Webhook:InlineIo</c>; on unless set to false.</summary>
    public static bool IsEnabled(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var value = configuration[Key];
        if (string.IsNullOrWhiteSpace(value)) return true;
        return bool.TryParse(value.Trim(), out var enabled)
            ? enabled
            : throw new InvalidOperationException($"{Key}: \"{value}\" is not true or false");
    }

    /// <summary>
    /// Must run before anything opens a socket (the API client, Kestrel), i.e. before the host is built. An
    /// operator's own <see cref="SocketCompletionsVariable"/> is left as it is.
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
