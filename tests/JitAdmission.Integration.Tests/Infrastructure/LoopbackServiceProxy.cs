using System.Net;
using System.Net.Sockets;

namespace JitAdmission.Integration.Tests.Infrastructure;

/// <summary>
/// What a Kubernetes Service does for the webhook's replicas, on loopback: one address, each TCP connection
/// forwarded to a backend that accepts it (round robin, skipping dead ones). Lets out-of-cluster replicas share
/// one registered webhook URL, as pods behind a Service do.
/// </summary>
public sealed class LoopbackServiceProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly int[] _backends;
    private readonly Task _accepting;
    private int _next;

    public LoopbackServiceProxy(params int[] backendPorts)
    {
        _backends = backendPorts;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public string Url => $"https://127.0.0.1:{Port}";

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try { await _accepting; } catch (OperationCanceledException) { } catch (ObjectDisposedException) { } catch (SocketException) { }
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener.AcceptTcpClientAsync(_stop.Token);
            _ = ServeAsync(client);
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            var start = Interlocked.Increment(ref _next);
            for (var i = 0; i < _backends.Length; i++)
            {
                var backend = new TcpClient();
                try
                {
                    await backend.ConnectAsync(IPAddress.Loopback, _backends[(start + i) % _backends.Length], _stop.Token);
                }
                catch (SocketException)
                {
                    backend.Dispose();
                    continue;
                }

                using (backend)
                {
                    var a = client.GetStream();
                    var b = backend.GetStream();
                    try
                    {
                        await Task.WhenAny(a.CopyToAsync(b, _stop.Token), b.CopyToAsync(a, _stop.Token));
                    }
                    catch (IOException) { }
                    catch (OperationCanceledException) { }
                }

                return;
            }
        }
    }
}
