using System.Net;
using System.Net.Sockets;

namespace JitAdmission.Integration.Tests.Infrastructure.Proxy;

/// <summary>
/// A TCP relay on 127.0.0.1 between a client and a server (TLS passes through untouched), which a test can cut:
/// <see cref="Sever"/> drops every open connection, <see cref="Pause"/> also refuses new ones until
/// <see cref="Resume"/>, and <see cref="Upstream"/> can be re-pointed (e.g. to a restarted server).
/// </summary>
public sealed class LoopbackTcpProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<(TcpClient Client, TcpClient Server)> _connections = [];
    private readonly Task _acceptLoop;
    private volatile bool _paused;
    private int _accepted;
    private int _refused;

    public LoopbackTcpProxy(DnsEndPoint upstream)
    {
        Upstream = upstream;
        _listener.Start();
        _acceptLoop = AcceptLoopAsync();
    }

    public DnsEndPoint Upstream { get; set; }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Connections accepted so far (each reconnect of a client counts).</summary>
    public int AcceptedConnections => Volatile.Read(ref _accepted);

    /// <summary>Connections refused while paused.</summary>
    public int RefusedConnections => Volatile.Read(ref _refused);

    public static LoopbackTcpProxy For(Uri server) => new(new DnsEndPoint(server.Host, server.Port));

    public Uri UrlFor(Uri server) => new UriBuilder(server) { Host = "127.0.0.1", Port = Port }.Uri;

    /// <summary>Closes every open connection; new connections are still relayed.</summary>
    public void Sever()
    {
        List<(TcpClient Client, TcpClient Server)> open;
        lock (_connections)
        {
            open = [.. _connections];
            _connections.Clear();
        }

        foreach (var (client, server) in open)
        {
            Close(client);
            Close(server);
        }
    }

    /// <summary>Severs all connections and refuses new ones (they are accepted and closed at once).</summary>
    public void Pause()
    {
        _paused = true;
        Sever();
    }

    public void Resume() => _paused = false;

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        Sever();
        try { await _acceptLoop; } catch (OperationCanceledException) { } catch (SocketException) { } catch (ObjectDisposedException) { }
        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener.AcceptTcpClientAsync(_stop.Token);
            Interlocked.Increment(ref _accepted);
            if (_paused)
            {
                Interlocked.Increment(ref _refused);
                Close(client);
                continue;
            }

            _ = RelayAsync(client);
        }
    }

    private async Task RelayAsync(TcpClient client)
    {
        var server = new TcpClient();
        try
        {
            await server.ConnectAsync(Upstream.Host, Upstream.Port, _stop.Token);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            Close(client);
            Close(server);
            return;
        }

        lock (_connections) _connections.Add((client, server));
        var up = PumpAsync(client, server);
        var down = PumpAsync(server, client);
        await Task.WhenAny(up, down);
        Close(client);
        Close(server);
        lock (_connections) _connections.Remove((client, server));
    }

    private async Task PumpAsync(TcpClient from, TcpClient to)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            var source = from.GetStream();
            var target = to.GetStream();
            int read;
            while ((read = await source.ReadAsync(buffer, _stop.Token)) > 0)
                await target.WriteAsync(buffer.AsMemory(0, read), _stop.Token);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException or InvalidOperationException or SocketException)
        {
            // The connection was cut (by the test or a peer): the relay just ends.
        }
    }

    private static void Close(TcpClient client)
    {
        try
        {
            // Linger 0 sends a reset, which is what a crashed peer or a dropped network path looks like to the client.
            if (client.Client is { } socket) socket.LingerState = new LingerOption(true, 0);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }

        client.Dispose();
    }
}
