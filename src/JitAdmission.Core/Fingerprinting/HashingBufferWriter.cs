using System.Buffers;
using System.Security.Cryptography;

namespace JitAdmission.Core.Fingerprinting;

/// <summary>
/// An <see cref="IBufferWriter{T}"/> that hashes whatever is committed to it and keeps nothing, so a fingerprint of
/// a large object costs one small reusable buffer instead of a copy of the canonical JSON.
/// </summary>
internal sealed class HashingBufferWriter : IBufferWriter<byte>, IDisposable
{
    private readonly IncrementalHash _hash;
    private byte[] _buffer;

    public HashingBufferWriter(IncrementalHash hash, int initialSize = 16 * 1024)
    {
        _hash = hash;
        _buffer = ArrayPool<byte>.Shared.Rent(initialSize);
    }

    // Utf8JsonWriter commits everything it wrote before it asks for memory again, so the buffer is always reused from 0.
    public void Advance(int count) => _hash.AppendData(_buffer, 0, count);

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        if (sizeHint > _buffer.Length)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = ArrayPool<byte>.Shared.Rent(sizeHint);
        }

        return _buffer;
    }

    public Span<byte> GetSpan(int sizeHint = 0) => GetMemory(sizeHint).Span;

    public void Dispose() => ArrayPool<byte>.Shared.Return(_buffer);
}
