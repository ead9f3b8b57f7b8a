using System.Diagnostics.CodeAnalysis;
using System.Net;

namespace JitAdmission.Webhook;

/// <summary>A listen URL reduced to what Kestrel binds: an address (null for localhost) and a port.</summary>
internal sealed record ListenAddress(IPAddress? Address, bool Localhost, int Port)
{
    public static bool TryParse(string? url, string scheme, [NotNullWhen(true)] out ListenAddress? address, out string error)
    {
        address = null;
        error = "";
        if (string.IsNullOrWhiteSpace(url))
        {
            error = "is empty";
            return false;
        }

        // Uri rejects '*' and '+' as hosts; they mean every interface, as in ASP.NET Core URLs.
        var text = url.Replace("://*:", "://0.0.0.0:", StringComparison.Ordinal).Replace("://+:", "://0.0.0.0:", StringComparison.Ordinal);
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme != scheme)
        {
            error = $"\"{url}\" is not a {scheme}://HOST:PORT URL";
            return false;
        }

        if (uri.AbsolutePath != "/" || uri.Query.Length > 0)
        {
            error = $"\"{url}\" must not have a path or query";
            return false;
        }

        var host = uri.Host;
        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase))
        {
            if (uri.Port == 0)
            {
                error = "localhost cannot listen on port 0; use 127.0.0.1";
                return false;
            }

            address = new ListenAddress(null, true, uri.Port);
            return true;
        }

        if (!IPAddress.TryParse(host.Trim('[', ']'), out var ip))
        {
            error = $"host \"{host}\" must be an IP address, localhost or *";
            return false;
        }

        address = new ListenAddress(ip, false, uri.Port);
        return true;
    }
}
