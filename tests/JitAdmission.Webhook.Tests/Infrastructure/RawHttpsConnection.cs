using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;

namespace JitAdmission.Webhook.Tests.Infrastructure;

/// <summary>
/// A hand-driven HTTP/1.1 connection over TLS, for what HttpClient will not do: declare a body larger than it
/// sends, stream an endless chunked body, or offer chosen TLS versions.
/// </summary>
public sealed class RawHttpsConnection : IAsyncDisposable
{
    private readonly TcpClient _tcp;
    private readonly SslStream _tls;

    private RawHttpsConnection(TcpClient tcp, SslStream tls)
    {
        _tcp = tcp;
        _tls = tls;
    }

    public SslProtocols NegotiatedProtocol => _tls.SslProtocol;

    public static async Task<RawHttpsConnection> OpenAsync(Uri address, TestCertificates certificates, SslProtocols protocols = SslProtocols.None)
    {
        var tcp = new TcpClient();
        try
        {
            await tcp.ConnectAsync(address.Host, address.Port);
            var tls = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false);
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = address.Host,
                EnabledSslProtocols = protocols,
                RemoteCertificateValidationCallback = (_, certificate, _, errors) => certificates.Validate(certificate, errors),
            });
            return new RawHttpsConnection(tcp, tls);
        }
        catch
        {
            tcp.Dispose();
            throw;
        }
    }

    public Task WriteAsync(string text) => WriteAsync(Encoding.ASCII.GetBytes(text));

    public async Task WriteAsync(byte[] bytes)
    {
        await _tls.WriteAsync(bytes);
        await _tls.FlushAsync();
    }

    /// <summary>Reads the status line and headers; returns the status code and the header block.</summary>
    public async Task<(int Status, string Head)> ReadHeadAsync(CancellationToken cancellationToken)
    {
        var head = new StringBuilder();
        var buffer = new byte[1];
        while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            var n = await _tls.ReadAsync(buffer, cancellationToken);
            if (n == 0) throw new IOException("connection closed before the response head: " + head);
            head.Append((char)buffer[0]);
        }

        var text = head.ToString();
        return (int.Parse(text.AsSpan(9, 3), provider: System.Globalization.CultureInfo.InvariantCulture), text);
    }

    public async ValueTask DisposeAsync()
    {
        await _tls.DisposeAsync();
        _tcp.Dispose();
    }
}
