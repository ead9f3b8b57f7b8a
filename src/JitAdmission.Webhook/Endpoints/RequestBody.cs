using System.Buffers;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace JitAdmission.Webhook.Endpoints;

internal enum BodyStatus
{
    Ok,
    Empty,
    TooLarge,
    Unreadable,
}

/// <summary>The request body in a pooled array: <see cref="Buffer"/>[0..<see cref="Length"/>].</summary>
internal readonly record struct RequestBody(BodyStatus Status, byte[]? Buffer, int Length, string? Error = null)
{
    private const int ChunkedInitialSize = 16 * 1024;

    /// <summary>
    /// Reads the body once into a pooled buffer. A declared length over the limit is refused before reading; a
    /// chunked body is read until it passes the limit and no further.
    /// </summary>
    public static async ValueTask<RequestBody> ReadAsync(HttpRequest request, long maxBytes, CancellationToken cancellationToken)
    {
        var declared = request.ContentLength;
        if (declared > maxBytes) return new RequestBody(BodyStatus.TooLarge, null, 0);
        if (declared == 0) return new RequestBody(BodyStatus.Empty, null, 0);

        // We enforce the limit ourselves, one byte past it; Kestrel's generic one must not fire first.
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeFeature)
            sizeFeature.MaxRequestBodySize = maxBytes + 1;

        var buffer = ArrayPool<byte>.Shared.Rent(declared is { } length ? (int)length : ChunkedInitialSize);
        var read = 0;
        try
        {
            while (declared is null || read < declared)
            {
                if (read == buffer.Length)
                {
                    if (read > maxBytes) break;
                    var grown = ArrayPool<byte>.Shared.Rent((int)Math.Min(buffer.Length * 2L, maxBytes + 1));
                    buffer.AsSpan(0, read).CopyTo(grown);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = grown;
                }

                var n = await request.Body.ReadAsync(buffer.AsMemory(read), cancellationToken);
                if (n == 0) break;
                read += n;
                if (read > maxBytes) break;
            }
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            // Kestrel counts a chunk as it arrives, so it may see the excess before our read does.
            ArrayPool<byte>.Shared.Return(buffer);
            return new RequestBody(BodyStatus.TooLarge, null, 0);
        }
        catch (Exception ex) when (ex is BadHttpRequestException or IOException or OperationCanceledException)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            return new RequestBody(BodyStatus.Unreadable, null, 0, ex.Message);
        }

        if (read > maxBytes || read == 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            return new RequestBody(read == 0 ? BodyStatus.Empty : BodyStatus.TooLarge, null, 0);
        }

        return new RequestBody(BodyStatus.Ok, buffer, read);
    }
}
