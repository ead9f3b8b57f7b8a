using System.Buffers;
using System.Net;
using JitAdmission.Kubernetes.Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.Logging;

namespace JitAdmission.Benchmarks.Baseline;

/// <summary>
/// The practical upper limit: a bare Kestrel HTTPS endpoint with jit-admission's TLS and HTTP settings (TLS 1.2/1.3,
/// HTTP/1.1 and h2, a self-signed ECDSA P-256 certificate, no Server header) that reads the whole body into a pooled
/// buffer and answers a fixed "allowed" AdmissionReview. No routing beyond one path, no parsing, no logging.
/// </summary>
public static class BaselineServer
{
    private static readonly byte[] Allowed =
        """{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","response":{"uid":"b1e5a7c2-3f4d-4e8a-9c1b-6d2f0e9a8b7c","allowed":true}}"""u8.ToArray();

    public static async Task<int> RunAsync(int port)
    {
        var factory = new CertificateFactory(TimeProvider.System);
        using var ca = factory.CreateCertificateAuthority("jit-bench-baseline-ca", TimeSpan.FromDays(1));
        using var certificate = factory.CreateServingCertificate(ca, ["localhost"], [IPAddress.Loopback], TimeSpan.FromDays(1));

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrelHttpsConfiguration();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = 7 * 1024 * 1024 + 1;
            kestrel.Listen(IPAddress.Loopback, port, listen =>
            {
                listen.Protocols = HttpProtocols.Http1AndHttp2;
                listen.UseHttps(new HttpsConnectionAdapterOptions
                {
                    SslProtocols = JitAdmission.Webhook.AdmissionHttpsExtensions.Protocols,
                    ClientCertificateMode = ClientCertificateMode.NoCertificate,
                    ServerCertificateSelector = (_, _) => certificate,
                });
            });
        });

        var app = builder.Build();
        app.MapPost("/validate", HandleAsync);
        app.MapGet("/healthz", () => "ok");
        await app.RunAsync();
        return 0;
    }

    private static async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var length = (int)(request.ContentLength ?? 16 * 1024);
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(length, 1));
        var read = 0;
        try
        {
            while (true)
            {
                if (read == buffer.Length)
                {
                    var grown = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                    buffer.AsSpan(0, read).CopyTo(grown);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = grown;
                }

                var n = await request.Body.ReadAsync(buffer.AsMemory(read), context.RequestAborted);
                if (n == 0) break;
                read += n;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json";
        response.ContentLength = Allowed.Length;
        await response.BodyWriter.WriteAsync(Allowed, context.RequestAborted);
    }
}
